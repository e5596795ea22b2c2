"""A throw-away PostgreSQL server for tests and benchmarks: initdb and
pg_ctl in a temporary folder, listening on a Unix socket in it only (no
TCP port). Root cannot run a server, so as root the folder is handed to
the postgres user and the programs run as it (runuser).

    with PgServer() as pg:
        pg.conninfo   # "host=/tmp/.../sock dbname=postgres user=postgres"
        pg.url()      # the same as a URL, which spoor -i takes
"""
import glob
import os
import pwd
import shutil
import subprocess
import tempfile


def pg_bin(name):
    """The path of PostgreSQL program name (initdb, pg_ctl, ...)."""
    found = shutil.which(name)
    if found:
        return found
    for path in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                       reverse=True):
        return path
    raise FileNotFoundError(f"{name}: PostgreSQL server programs not found "
                            "(Debian: apt-get install postgresql-15)")


class PgServer:
    def __init__(self, settings=None):
        self.settings = dict(settings or {})
        self.dir = None
        self.conninfo = None

    def _run(self, *cmd):
        if os.geteuid() == 0:
            cmd = ("runuser", "-u", "postgres", "--") + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="spoor-pg-")
        data, sock = os.path.join(self.dir, "data"), os.path.join(self.dir,
                                                                  "sock")
        os.mkdir(sock)
        user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(
            os.geteuid()).pw_name
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            for p in (self.dir, sock):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        self._run(pg_bin("initdb"), "-D", data, "-U", user, "-A", "trust",
                  "--no-sync", "-E", "UTF8", "--locale", "C")
        opts = {"listen_addresses": "''", "unix_socket_directories": sock,
                "fsync": "off", "shared_buffers": "256MB"}
        opts.update(self.settings)
        o = " ".join(f"-c {k}={v}" for k, v in opts.items())
        self._run(pg_bin("pg_ctl"), "-D", data, "-o", o, "-w", "-l",
                  os.path.join(self.dir, "log"), "start")
        self.sock, self.user = sock, user
        self.conninfo = f"host={sock} dbname=postgres user={user}"
        return self

    def url(self, db="postgres", user=None):
        """The server's database db as a postgresql:// URL (the socket
        folder as the host parameter)."""
        return (f"postgresql:///{db}?host={self.sock}"
                f"&user={user or self.user}")

    def __exit__(self, *exc):
        try:
            self._run(pg_bin("pg_ctl"), "-D", os.path.join(self.dir, "data"),
                      "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
