/* The public headers compile on their own in strict C99. */
#include <spoor/spoor.h>

int main(void)
{
    return spoor_version() ? 0 : 1;
}
