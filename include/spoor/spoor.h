/*
 * spoor/spoor.h: the umbrella header of libspoor, the provenance engine for
 * leaked and exfiltrated documents. Pipeline: walk -> extract -> normalise
 * -> fingerprint -> store (add) or -> match -> report (check).
 */
#ifndef SPOOR_H
#define SPOOR_H

#include "buf.h"
#include "collections.h"
#include "common.h"
#include "dkim.h"
#include "error.h"
#include "extract.h"
#include "fingerprint.h"
#include "item.h"
#include "match.h"
#include "normalise.h"
#include "report.h"
#include "store.h"
#include "thread.h"

#endif
