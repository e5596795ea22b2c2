"""pst.py: a small writer of Unicode Outlook PST files, for test fixtures.

No Debian package writes PST files, so the tests make their own from the
published format ([MS-PST], Outlook Personal Folders File Format):

  NDB  the 564-byte Unicode header (CRCs, root with the B-tree roots), one
       allocation map page, data blocks (64-byte aligned, with trailers),
       the node B-tree (NBT) and the block B-tree (BBT) as 512-byte pages,
       subnode blocks (SLBLOCK) for a message's attachments and recipients;
  LTP  heap-on-node allocations, property contexts (a BTH of properties)
       and table contexts (columns, row index, row matrix);
  Messaging  the message store, the name-to-id map, folders with their
       hierarchy/contents/associated-contents tables, messages with
       recipient and attachment tables, attachments by value.

The file is not encrypted (bCryptMethod 0). Every value must fit the
heap of one block (under about 3.5 KB per value, 8 KB per node): enough
for fixtures. The output is checked by libpff's own pffinfo/pffexport in
the tests that use it.

    folders = [Folder("Inbox", messages=[Message(...)], folders=[...])]
    data = pst.write(folders)
"""
import struct
import zlib

PT_I4, PT_BOOL, PT_I8 = 0x0003, 0x000B, 0x0014
PT_UNICODE, PT_SYSTIME, PT_BINARY = 0x001F, 0x0040, 0x0102

NID_MESSAGE_STORE, NID_NAME_TO_ID_MAP, NID_ROOT_FOLDER = 0x21, 0x61, 0x122
NT_FOLDER, NT_MESSAGE, NT_ATTACHMENT = 0x02, 0x04, 0x05
NT_HIERARCHY, NT_CONTENTS, NT_ASSOC = 0x0D, 0x0E, 0x0F
NID_ATTACHMENT_TABLE, NID_RECIPIENT_TABLE = 0x671, 0x692

PAGE, BLOCK_ALIGN, AMAP_AT = 512, 64, 0x4400
# {00062008-0000-0000-C000-000000000046} as stored (little-endian fields)
PSETID_COMMON = bytes.fromhex("0820060000000000c000000000000046")


class Message:
    """One message: subject, body, sender, times (Unix seconds)."""

    def __init__(self, subject, body, sender=("Ann Example", "ann@x.example"),
                 to=("Bob Example", "bob@x.example"), submit=None,
                 delivery=None, message_id=None, attachments=()):
        self.subject, self.body, self.sender, self.to = subject, body, \
            sender, to
        self.submit, self.delivery, self.message_id = submit, delivery, \
            message_id
        self.attachments = list(attachments)  # (filename, bytes)


class Folder:
    def __init__(self, name, messages=(), folders=()):
        self.name, self.messages, self.folders = name, list(messages), \
            list(folders)


def crc(data):
    """[MS-PST] 5.3: the CRC-32 table, starting at 0, no final inversion."""
    return zlib.crc32(data, 0xFFFFFFFF) ^ 0xFFFFFFFF


def signature(ib, bid):
    """[MS-PST] 5.5: the block/page signature from its offset and BID."""
    v = (ib ^ bid) & 0xFFFFFFFFFFFFFFFF
    return ((v >> 16) ^ v) & 0xFFFF


def filetime(unix_seconds):
    return (int(unix_seconds) + 11644473600) * 10000000


def nid(index, nid_type):
    return (index << 5) | nid_type


# ---------------------------------------------------------------- LTP layer

class Heap:
    """A heap-on-node in one block: allocations addressed by HID."""

    def __init__(self, client_sig):
        self.client_sig, self.allocs = client_sig, []

    def alloc(self, data):
        self.allocs.append(bytes(data))
        return len(self.allocs) << 5  # hidType 0, hidIndex, block 0

    def build(self, user_root):
        body, offsets = b"", []
        for a in self.allocs:
            offsets.append(12 + len(body))
            body += a
        offsets.append(12 + len(body))
        if len(body) % 2:
            body += b"\0"  # the page map starts on an even offset
        end = 12 + len(body)
        pagemap = struct.pack("<HH", len(self.allocs), 0) + b"".join(
            struct.pack("<H", o) for o in offsets)
        header = struct.pack("<HBBII", end, 0xEC, self.client_sig,
                             user_root, 0)
        return header + body + pagemap


def encode_value(heap, ptype, value):
    """The 4-byte dwValueHnid of a PC property: inline or a heap HID."""
    if ptype == PT_I4:
        return struct.pack("<I", value)
    if ptype == PT_BOOL:
        return struct.pack("<I", 1 if value else 0)
    if ptype in (PT_I8, PT_SYSTIME):
        return struct.pack("<I", heap.alloc(struct.pack("<Q", value)))
    if ptype == PT_UNICODE:
        return struct.pack("<I", heap.alloc(value.encode("utf-16-le")))
    if ptype == PT_BINARY:
        return struct.pack("<I", heap.alloc(value) if value else 0)
    raise ValueError(ptype)


def property_context(props):
    """props: [(tag, value)] with tag = (id << 16) | type."""
    heap = Heap(0xBC)
    bth = heap.alloc(b"\0" * 8)  # patched below
    records = []
    for tag, value in sorted(props):
        records.append(struct.pack("<HH", tag >> 16, tag & 0xFFFF) +
                       encode_value(heap, tag & 0xFFFF, value))
    root = heap.alloc(b"".join(records)) if records else 0
    heap.allocs[0] = struct.pack("<BBBBI", 0xB5, 2, 6, 0, root)
    return heap.build(bth)


def column_size(ptype):
    return {PT_I4: 4, PT_BOOL: 1, PT_I8: 8, PT_SYSTIME: 8}.get(ptype, 4)


def table_context(columns, rows):
    """columns: [tag]; rows: [{tag: value}] whose 0x67F20003 is the row id."""
    tags = [0x67F20003, 0x67F30003] + [t for t in columns
                                       if t not in (0x67F20003, 0x67F30003)]
    heap = Heap(0x7C)
    tcinfo = heap.alloc(b"")  # patched below
    # layout: row id, row version, other 8- and 4-byte, 2-byte, 1-byte, CEB
    ib, layout, ends = 8, {0x67F20003: 0, 0x67F30003: 4}, []
    for sizes in ((8, 4), (2,), (1,)):
        for size in sizes:
            for t in tags[2:]:
                if column_size(t & 0xFFFF) == size:
                    layout[t] = ib
                    ib += size
        ends.append(ib)
    end4, end2 = ends[0], ends[1]
    end1 = ib
    ceb = (len(tags) + 7) // 8
    row_size = end1 + ceb
    bits = {t: i for i, t in enumerate(tags)}
    matrix = b""
    for index, row in enumerate(rows):
        r = bytearray(row_size)
        values = dict(row)
        values.setdefault(0x67F30003, 0)
        for t in tags:
            if t not in values:
                continue
            ptype, size = t & 0xFFFF, column_size(t & 0xFFFF)
            v = values[t]
            if ptype in (PT_UNICODE, PT_BINARY):
                raw = v.encode("utf-16-le") if ptype == PT_UNICODE else v
                cell = struct.pack("<I", heap.alloc(raw))
            elif size == 8:
                cell = struct.pack("<Q", v)
            elif size == 1:
                cell = struct.pack("<B", 1 if v else 0)
            else:
                cell = struct.pack("<I", v)
            r[layout[t]:layout[t] + size] = cell
            r[end1 + bits[t] // 8] |= 0x80 >> (bits[t] % 8)
        matrix += bytes(r)
    index_records = b"".join(struct.pack("<II", row[0x67F20003], i)
                             for i, row in enumerate(rows))
    index_root = heap.alloc(index_records) if rows else 0
    row_index = heap.alloc(struct.pack("<BBBBI", 0xB5, 4, 4, 0, index_root))
    hnid_rows = heap.alloc(matrix) if rows else 0
    descs = b"".join(struct.pack("<IHBB", t, layout[t],
                                 column_size(t & 0xFFFF), bits[t])
                     for t in sorted(tags))
    heap.allocs[0] = struct.pack("<BBHHHHIII", 0x7C, len(tags), end4, end2,
                                 end1, row_size, row_index, hnid_rows,
                                 0) + descs
    return heap.build(tcinfo)


# ---------------------------------------------------------------- NDB layer

class Writer:
    def __init__(self):
        self.blocks = []   # (bid, data)
        self.nodes = []    # (nid, bid_data, bid_sub, nid_parent)
        self.next_bid = 4
        self.next_index = {}

    def new_nid(self, nid_type, first=0x400):
        i = self.next_index.get(nid_type, first)
        self.next_index[nid_type] = i + 1
        return nid(i, nid_type)

    def block(self, data, internal=False):
        bid = self.next_bid | (2 if internal else 0)
        self.next_bid += 4
        if len(data) > 8176:
            raise ValueError("node larger than one PST block")
        self.blocks.append((bid, data))
        return bid

    def node(self, node_id, data, parent=0, subnodes=()):
        """subnodes: [(nid, data)] stored under this node (SLBLOCK)."""
        bid_sub = 0
        if subnodes:
            entries = [(n, self.block(d)) for n, d in sorted(subnodes)]
            sl = struct.pack("<BBHI", 0x02, 0, len(entries), 0) + b"".join(
                struct.pack("<QQQ", n, b, 0) for n, b in entries)
            bid_sub = self.block(sl, internal=True)
        self.nodes.append((node_id, self.block(data), bid_sub, parent))

    def layout(self):
        """Place blocks, then B-tree pages; returns the file bytes."""
        out = bytearray(AMAP_AT + 2 * PAGE)
        bbt = []
        for bid, data in self.blocks:
            ib = len(out)
            total = -(-(len(data) + 16) // BLOCK_ALIGN) * BLOCK_ALIGN
            blk = bytearray(total)
            blk[:len(data)] = data
            blk[total - 16:] = struct.pack("<HHIQ", len(data),
                                           signature(ib, bid), crc(data), bid)
            out += blk
            bbt.append((bid, ib, len(data)))
        pad = -len(out) % PAGE
        out += b"\0" * pad
        self.next_page_bid = 0x20000

        def page(ptype, entries, cb_ent, level):
            ib = len(out)
            bid = self.next_page_bid
            self.next_page_bid += 4
            body = bytearray(496)
            raw = b"".join(entries)
            body[:len(raw)] = raw
            body[488:492] = struct.pack("<BBBB", len(entries), 488 // cb_ent,
                                        cb_ent, level)
            trailer = struct.pack("<BBHIQ", ptype, ptype, signature(ib, bid),
                                  crc(bytes(body)), bid)
            out.extend(bytes(body) + trailer)
            return bid, ib

        def tree(ptype, keyed_entries, cb_ent):
            keyed_entries.sort()
            per_leaf = 488 // cb_ent
            level, pages = 0, []
            for i in range(0, max(len(keyed_entries), 1), per_leaf):
                chunk = keyed_entries[i:i + per_leaf]
                pages.append((chunk[0][0] if chunk else 0,
                              page(ptype, [e for _, e in chunk], cb_ent, 0)))
            while len(pages) > 1:
                level += 1
                up = []
                for i in range(0, len(pages), 20):
                    chunk = pages[i:i + 20]
                    up.append((chunk[0][0], page(ptype, [
                        struct.pack("<QQQ", k, b, o) for k, (b, o) in chunk],
                        24, level)))
                pages = up
            return pages[0][1]

        nbt = tree(0x81, [(n, struct.pack("<QQQII", n, bd, bs, p, 0))
                          for n, bd, bs, p in self.nodes], 32)
        bbt_root = tree(0x80, [(b, struct.pack("<QQHHI", b, ib, cb, 2, 0))
                               for b, ib, cb in bbt], 24)
        eof = len(out)
        # allocation map: everything from the map to the end is in use
        amap = bytearray(496)
        used_bits = (eof - AMAP_AT) // 64
        for i in range(min(used_bits, 496 * 8)):
            amap[i // 8] |= 0x80 >> (i % 8)
        out[AMAP_AT:AMAP_AT + PAGE] = bytes(amap) + struct.pack(
            "<BBHIQ", 0x84, 0x84, 0, crc(bytes(amap)), AMAP_AT)
        pmap = b"\xff" * 496
        out[AMAP_AT + PAGE:AMAP_AT + 2 * PAGE] = pmap + struct.pack(
            "<BBHIQ", 0x83, 0x83, 0, crc(pmap), AMAP_AT + PAGE)
        free = 496 * 8 * 64 - (eof - AMAP_AT)
        root = struct.pack("<IQQQQQQQQBBH", 0, eof, AMAP_AT, max(free, 0), 0,
                           nbt[0], nbt[1], bbt_root[0], bbt_root[1], 2, 0, 0)
        rgnid = b"".join(struct.pack("<I", self.next_index.get(t, 0x400))
                         for t in range(32))
        h = bytearray(564)
        h[0:4] = b"!BDN"
        h[8:16] = struct.pack("<2sHHBB", b"SM", 23, 19, 1, 1)
        h[32:40] = struct.pack("<Q", self.next_page_bid)   # bidNextP
        h[40:44] = struct.pack("<I", 1)                    # dwUnique
        h[44:172] = rgnid
        h[180:252] = root
        h[512] = 0x80                                      # bSentinel
        h[513] = 0                                         # NDB_CRYPT_NONE
        h[516:524] = struct.pack("<Q", self.next_bid)      # bidNextB
        h[4:8] = struct.pack("<I", crc(bytes(h[8:8 + 471])))
        h[524:528] = struct.pack("<I", crc(bytes(h[8:8 + 516])))
        out[0:564] = h
        return bytes(out)


# ---------------------------------------------------------- messaging layer

def _tag(prop_id, ptype):
    return (prop_id << 16) | ptype


def _message_nodes(w, m, index):
    props = [
        (_tag(0x001A, PT_UNICODE), "IPM.Note"),
        (_tag(0x0037, PT_UNICODE), m.subject),
        (_tag(0x0070, PT_UNICODE), m.subject),
        (_tag(0x0C1A, PT_UNICODE), m.sender[0]),
        (_tag(0x0C1F, PT_UNICODE), m.sender[1]),
        (_tag(0x0C1E, PT_UNICODE), "SMTP"),
        (_tag(0x0042, PT_UNICODE), m.sender[0]),
        (_tag(0x0E04, PT_UNICODE), m.to[0]),
        (_tag(0x1000, PT_UNICODE), m.body),
        (_tag(0x0E07, PT_I4), 0x01 | (0x10 if m.attachments else 0)),
        (_tag(0x0E08, PT_I4), len(m.body) * 2 + 512),
    ]
    if m.submit is not None:
        props.append((_tag(0x0039, PT_SYSTIME), filetime(m.submit)))
        props.append((_tag(0x3007, PT_SYSTIME), filetime(m.submit)))
    if m.delivery is not None:
        props.append((_tag(0x0E06, PT_SYSTIME), filetime(m.delivery)))
        props.append((_tag(0x3008, PT_SYSTIME), filetime(m.delivery)))
    if m.message_id:
        props.append((_tag(0x1035, PT_UNICODE), m.message_id))
    subnodes = [(NID_RECIPIENT_TABLE, table_context(
        [_tag(0x0C15, PT_I4), _tag(0x3001, PT_UNICODE),
         _tag(0x3002, PT_UNICODE), _tag(0x3003, PT_UNICODE)],
        [{0x67F20003: 0, _tag(0x0C15, PT_I4): 1,
          _tag(0x3001, PT_UNICODE): m.to[0], _tag(0x3002, PT_UNICODE): "SMTP",
          _tag(0x3003, PT_UNICODE): m.to[1]}]))]
    rows = []
    for i, (name, data) in enumerate(m.attachments):
        anid = nid(0x400 + i, NT_ATTACHMENT)
        subnodes.append((anid, property_context([
            (_tag(0x3705, PT_I4), 1),             # ATTACH_BY_VALUE
            (_tag(0x3701, PT_BINARY), data),
            (_tag(0x3704, PT_UNICODE), name[:12]),
            (_tag(0x3707, PT_UNICODE), name),
            (_tag(0x3001, PT_UNICODE), name),
            (_tag(0x0E20, PT_I4), len(data)),
            (_tag(0x370B, PT_I4), -1 & 0xFFFFFFFF),
        ])))
        rows.append({0x67F20003: anid, _tag(0x0E20, PT_I4): len(data),
                     _tag(0x3704, PT_UNICODE): name[:12],
                     _tag(0x3705, PT_I4): 1, _tag(0x370B, PT_I4): 0xFFFFFFFF})
    if m.attachments:
        subnodes.append((NID_ATTACHMENT_TABLE, table_context(
            [_tag(0x0E20, PT_I4), _tag(0x3704, PT_UNICODE),
             _tag(0x3705, PT_I4), _tag(0x370B, PT_I4)], rows)))
    return property_context(props), subnodes


def _folder(w, folder_nid, name, parent, messages, children):
    """Write a folder's property context and its three tables."""
    w.node(folder_nid, property_context([
        (_tag(0x3001, PT_UNICODE), name),
        (_tag(0x3602, PT_I4), len(messages)),
        (_tag(0x3603, PT_I4), 0),
        (_tag(0x360A, PT_BOOL), bool(children)),
        (_tag(0x3613, PT_UNICODE), "IPF.Note"),
    ]), parent=parent)
    index = folder_nid >> 5
    w.node(nid(index, NT_HIERARCHY), table_context(
        [_tag(0x3001, PT_UNICODE), _tag(0x3602, PT_I4),
         _tag(0x3603, PT_I4), _tag(0x360A, PT_BOOL)],
        [{0x67F20003: n, _tag(0x3001, PT_UNICODE): f.name,
          _tag(0x3602, PT_I4): len(f.messages), _tag(0x3603, PT_I4): 0,
          _tag(0x360A, PT_BOOL): bool(f.folders)} for n, f in children]))
    w.node(nid(index, NT_CONTENTS), table_context(
        [_tag(0x0037, PT_UNICODE), _tag(0x0E06, PT_SYSTIME),
         _tag(0x0E07, PT_I4)],
        [{0x67F20003: n, _tag(0x0037, PT_UNICODE): m.subject,
          _tag(0x0E06, PT_SYSTIME): filetime(m.delivery or 0),
          _tag(0x0E07, PT_I4): 1} for n, m in messages]))
    w.node(nid(index, NT_ASSOC), table_context([], []))


def write(folders, store_name="Personal Folders"):
    """A PST whose IPM subtree ("Top of Personal Folders") holds folders."""
    w = Writer()
    record_key = bytes(range(16))
    top = w.new_nid(NT_FOLDER, 0x401)

    def place(folder, folder_nid, parent):
        kids = [(w.new_nid(NT_FOLDER), f) for f in folder.folders]
        msgs = []
        for m in folder.messages:
            mnid = w.new_nid(NT_MESSAGE, 0x10001)
            pc, subs = _message_nodes(w, m, mnid)
            w.node(mnid, pc, parent=folder_nid, subnodes=subs)
            msgs.append((mnid, m))
        _folder(w, folder_nid, folder.name, parent, msgs, kids)
        for knid, f in kids:
            place(f, knid, folder_nid)

    entryid = struct.pack("<I", 0) + record_key + struct.pack("<I", top)
    w.node(NID_MESSAGE_STORE, property_context([
        (_tag(0x0FF9, PT_BINARY), record_key),
        (_tag(0x3001, PT_UNICODE), store_name),
        (_tag(0x35DF, PT_I4), 0x89),
        (_tag(0x35E0, PT_BINARY), entryid),
    ]))
    w.node(NID_NAME_TO_ID_MAP, property_context([
        (_tag(0x0001, PT_I4), 251),
        # one named property: PidLidReminderDelta (0x8501) of PSETID_Common
        (_tag(0x0002, PT_BINARY), PSETID_COMMON),
        (_tag(0x0003, PT_BINARY), struct.pack("<IHH", 0x8501, 3 << 1, 0)),
        (_tag(0x0004, PT_BINARY), struct.pack("<I", 0)),
    ]))
    _folder(w, NID_ROOT_FOLDER, "", NID_ROOT_FOLDER, [],
            [(top, Folder("Top of Personal Folders", folders=folders))])
    place(Folder("Top of Personal Folders", folders=folders), top,
          NID_ROOT_FOLDER)
    return w.layout()
