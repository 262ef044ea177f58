// Encryption at rest for Lexgraph graph databases: a SQLite VFS shim that encrypts every
// page of the main database file and every page image in its WAL with AES-256-GCM.
//
// Why this route: Debian's libsqlcipher (3.4) predates the FTS5 and JSON features the
// graph schema uses, and building SQLCipher from source would put a second SQLite in the
// process beside the system one GRDB links. A VFS shim works with the system SQLite
// 3.40 as it is (GRDB opens a URI `file:PATH?vfs=lexgraph-aes&lexgraph_key=N`), needs
// only OpenSSL's libcrypto, and leaves plain databases untouched. It is modelled on
// SQLite's ext/misc/cksumvfs.c, which keeps a checksum in each page's reserved bytes.
//
// Layout of every 4096-byte page on disk (the database sets 48 reserved bytes per page
// with SQLITE_FCNTL_RESERVE_BYTES before page 1 exists; SQLite never stores data there):
//   [0, 4048)     AES-256-GCM ciphertext of the page's usable bytes
//   [4048, 4060)  the page's random 96-bit nonce (fresh on every write)
//   [4060, 4076)  the GCM tag
//   [4076, 4092)  page 1 only: the database's random PBKDF2 salt (zeros elsewhere)
//   [4092, 4096)  page 1 only: the magic "LGX1" (zeros elsewhere)
// The associated data binds each page to its place: "LGDB" + page number in the
// database file, "LGWL" + file offset in the WAL, so pages cannot be swapped or moved.
// Page 1 is encrypted like the others, so the file does not start with the SQLite
// header; the shim decrypts whole pages to serve SQLite's partial header reads.
//
// SQLite sees the reserved bytes as zeros on every read and must hand them back as zeros
// (it does: B-tree pages never touch them, new pages start zeroed); a write that breaks
// this is refused instead of overwriting data. The WAL frame checksums SQLite computes
// are over that plaintext, so recovery after a crash validates frames as usual; a frame
// whose page fails authentication during recovery is handed back undecrypted, which its
// checksum then rejects (a torn last frame), while any other failed page is an I/O error.
//
// What stays plaintext: the WAL header and frame headers (page numbers, salts,
// checksums) and the -shm index (frame locations, no page content). Rollback journals
// and temp files would hold plaintext pages: encrypted databases run in WAL mode with
// temp_store=MEMORY (set by GraphStore), the shim refuses to open temp files and
// refuses to write a page image into a rollback journal. It still opens one, because
// VACUUM INTO (used to encrypt and re-key) writes a journal header for its new, empty
// output, and header-only journals hold no page content.
#include "lexgraph_crypt.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#define PS LGCRYPT_PAGE_SIZE
#define USABLE (PS - LGCRYPT_RESERVE)
#define NONCE_AT USABLE
#define TAG_AT (USABLE + 12)
#define SALT_AT (USABLE + 28)
#define MAGIC_AT (USABLE + 44)
#define WAL_HEADER 32
#define FRAME_HEADER 24
#define FRAME (PS + FRAME_HEADER)

static const unsigned char MAGIC[4] = {'L', 'G', 'X', '1'};

// MARK: Keys

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct { unsigned char *material; int length; } KeyEntry;
#define MAX_KEYS 64
static KeyEntry keys[MAX_KEYS];
static int key_count = 0;

typedef struct { int handle; unsigned char salt[16]; unsigned char key[32]; } DerivedKey;
#define MAX_DERIVED 32
static DerivedKey derived[MAX_DERIVED];
static int derived_count = 0, derived_next = 0;

int lgcrypt_register_key(const unsigned char *material, int length) {
    if (material == NULL || length <= 0) return -1;
    pthread_mutex_lock(&registry_lock);
    int handle = -1;
    for (int i = 0; i < key_count; i++) {
        if (keys[i].length == length && memcmp(keys[i].material, material, (size_t)length) == 0) { handle = i + 1; break; }
    }
    if (handle < 0 && key_count < MAX_KEYS) {
        unsigned char *copy = malloc((size_t)length);
        if (copy != NULL) {
            memcpy(copy, material, (size_t)length);
            keys[key_count].material = copy;
            keys[key_count].length = length;
            handle = ++key_count;
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return handle;
}

// The page key of database `salt` under key `handle`: PBKDF2 once, then cached, since
// every connection (and every pool reader) opens the file anew. 0 on success.
static int derive_key(int handle, const unsigned char salt[16], unsigned char out[32]) {
    int rc = -1;
    pthread_mutex_lock(&registry_lock);
    for (int i = 0; i < derived_count; i++) {
        if (derived[i].handle == handle && memcmp(derived[i].salt, salt, 16) == 0) {
            memcpy(out, derived[i].key, 32);
            pthread_mutex_unlock(&registry_lock);
            return 0;
        }
    }
    if (handle >= 1 && handle <= key_count) {
        KeyEntry k = keys[handle - 1];
        if (PKCS5_PBKDF2_HMAC((const char *)k.material, k.length, salt, 16, LGCRYPT_KDF_ROUNDS,
                              EVP_sha256(), 32, out) == 1) {
            DerivedKey *slot = &derived[derived_next];
            derived_next = (derived_next + 1) % MAX_DERIVED;
            if (derived_count < MAX_DERIVED) derived_count++;
            slot->handle = handle;
            memcpy(slot->salt, salt, 16);
            memcpy(slot->key, out, 32);
            rc = 0;
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

// MARK: AES-256-GCM

typedef struct {
    EVP_CIPHER_CTX *enc, *dec;
    unsigned char key[32];
    int ready;
} Cipher;

static void cipher_free(Cipher *c) {
    if (c->enc) EVP_CIPHER_CTX_free(c->enc);
    if (c->dec) EVP_CIPHER_CTX_free(c->dec);
    memset(c, 0, sizeof *c);
}

// Sets the key (once per key: the AES key schedule is kept between pages).
static int cipher_set_key(Cipher *c, const unsigned char key[32]) {
    if (c->ready && memcmp(c->key, key, 32) == 0) return 0;
    if (!c->enc) c->enc = EVP_CIPHER_CTX_new();
    if (!c->dec) c->dec = EVP_CIPHER_CTX_new();
    if (!c->enc || !c->dec) return -1;
    if (EVP_EncryptInit_ex(c->enc, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1
        || EVP_CIPHER_CTX_ctrl(c->enc, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1
        || EVP_EncryptInit_ex(c->enc, NULL, NULL, key, NULL) != 1
        || EVP_DecryptInit_ex(c->dec, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1
        || EVP_CIPHER_CTX_ctrl(c->dec, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1
        || EVP_DecryptInit_ex(c->dec, NULL, NULL, key, NULL) != 1) { c->ready = 0; return -1; }
    memcpy(c->key, key, 32);
    c->ready = 1;
    return 0;
}

static void put_be32(unsigned char *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }

static void make_aad(unsigned char aad[12], int wal, sqlite3_int64 where) {
    memcpy(aad, wal ? "LGWL" : "LGDB", 4);
    put_be32(aad + 4, (uint32_t)((uint64_t)where >> 32));
    put_be32(aad + 8, (uint32_t)where);
}

// Encrypts the page `plain` into `out` (both PS bytes; may not overlap). 0 on success.
static int seal_page(Cipher *c, const unsigned char *plain, unsigned char *out, const unsigned char aad[12]) {
    int n = 0;
    if (!c->ready || RAND_bytes(out + NONCE_AT, 12) != 1) return -1;
    if (EVP_EncryptInit_ex(c->enc, NULL, NULL, NULL, out + NONCE_AT) != 1
        || EVP_EncryptUpdate(c->enc, NULL, &n, aad, 12) != 1
        || EVP_EncryptUpdate(c->enc, out, &n, plain, USABLE) != 1 || n != USABLE
        || EVP_EncryptFinal_ex(c->enc, out + n, &n) != 1
        || EVP_CIPHER_CTX_ctrl(c->enc, EVP_CTRL_GCM_GET_TAG, 16, out + TAG_AT) != 1) return -1;
    memset(out + SALT_AT, 0, PS - SALT_AT);
    return 0;
}

// Decrypts the on-disk page `page` in place; its reserved bytes become zeros. 0 when
// the tag verifies; otherwise the page is left as it was.
static int open_page(Cipher *c, unsigned char *page, const unsigned char aad[12]) {
    unsigned char plain[USABLE];
    int n = 0, m = 0;
    if (!c->ready) return -1;
    if (EVP_DecryptInit_ex(c->dec, NULL, NULL, NULL, page + NONCE_AT) != 1
        || EVP_DecryptUpdate(c->dec, NULL, &n, aad, 12) != 1
        || EVP_DecryptUpdate(c->dec, plain, &n, page, USABLE) != 1
        || EVP_CIPHER_CTX_ctrl(c->dec, EVP_CTRL_GCM_SET_TAG, 16, page + TAG_AT) != 1
        || EVP_DecryptFinal_ex(c->dec, plain + n, &m) != 1) {
        memset(plain, 0, sizeof plain);
        return -1;
    }
    memcpy(page, plain, USABLE);
    memset(page + USABLE, 0, LGCRYPT_RESERVE);
    memset(plain, 0, sizeof plain);
    return 0;
}

static int reserved_is_zero(const unsigned char *page) {
    for (int i = USABLE; i < PS; i++) if (page[i]) return 0;
    return 1;
}

// MARK: Files

typedef struct CryptFile CryptFile;
struct CryptFile {
    sqlite3_file base;
    int isWal;
    int isJournal;            // a rollback journal: passed through, page images refused
    int keyHandle;
    CryptFile *db;            // the WAL's main database file
    unsigned char salt[16];
    int saltKnown;
    int headerChecked;        // page 1 was seen with the right page size and reserve
    Cipher cipher;
    unsigned char *scratch;   // page buffer (grown for large WAL writes)
    int scratchSize;
    const char *name;
};

#define ORIGFILE(p) ((sqlite3_file *)(((CryptFile *)(p)) + 1))
#define ORIGVFS(v) ((sqlite3_vfs *)((v)->pAppData))

static int scratch(CryptFile *p, int size) {
    if (p->scratchSize >= size) return 0;
    unsigned char *b = realloc(p->scratch, (size_t)size);
    if (!b) return -1;
    p->scratch = b;
    p->scratchSize = size;
    return 0;
}

// The cipher for this file: the main database's key, derived from its salt.
static Cipher *file_cipher(CryptFile *p) {
    CryptFile *db = p->isWal ? p->db : p;
    if (!db || !db->saltKnown) return NULL;
    unsigned char key[32];
    if (derive_key(db->keyHandle, db->salt, key) != 0) return NULL;
    int rc = cipher_set_key(&p->cipher, key);
    memset(key, 0, sizeof key);
    return rc == 0 ? &p->cipher : NULL;
}

// Re-reads the salt from page 1 on disk. A connection that opened the file while it was
// still empty picked a salt of its own; another connection may have created the database
// since. 1 when the salt changed (worth a retry), else 0.
static int refresh_salt(CryptFile *db) {
    unsigned char tail[20];
    sqlite3_file *f = ORIGFILE(db);
    if (f->pMethods->xRead(f, tail, 20, SALT_AT) != SQLITE_OK || memcmp(tail + 16, MAGIC, 4) != 0) return 0;
    if (db->saltKnown && memcmp(db->salt, tail, 16) == 0) return 0;
    memcpy(db->salt, tail, 16);
    db->saltKnown = 1;
    return 1;
}

static int header_is_valid(const unsigned char *page) {
    return page[16] == (PS >> 8) && page[17] == (PS & 0xff) && page[20] == LGCRYPT_RESERVE;
}

// Reads and decrypts database page `pgno` into `out`. SQLITE_IOERR_SHORT_READ (zeros)
// past the end of the file, as SQLite expects; SQLITE_IOERR_DATA for a page that does
// not authenticate or is cut short.
static int read_db_page(CryptFile *p, sqlite3_int64 pgno, unsigned char *out) {
    sqlite3_file *f = ORIGFILE(p);
    sqlite3_int64 at = (pgno - 1) * PS;
    int rc = f->pMethods->xRead(f, out, PS, at);
    if (rc == SQLITE_IOERR_SHORT_READ) {
        sqlite3_int64 size = 0;
        if (f->pMethods->xFileSize(f, &size) == SQLITE_OK && size <= at) {
            memset(out, 0, PS);
            return SQLITE_IOERR_SHORT_READ;
        }
        sqlite3_log(SQLITE_IOERR_DATA, "lexgraph-aes: page %lld of \"%s\" is cut short (truncated file)", pgno, p->name);
        return SQLITE_IOERR_DATA;
    }
    if (rc != SQLITE_OK) return rc;
    if (pgno == 1) {
        if (memcmp(out + MAGIC_AT, MAGIC, 4) != 0) {
            sqlite3_log(SQLITE_IOERR_DATA, "lexgraph-aes: \"%s\" is not an encrypted Lexgraph database", p->name);
            return SQLITE_IOERR_DATA;
        }
        if (!p->saltKnown || memcmp(p->salt, out + SALT_AT, 16) != 0) {
            memcpy(p->salt, out + SALT_AT, 16);
            p->saltKnown = 1;
        }
    }
    unsigned char aad[12];
    make_aad(aad, 0, pgno);
    Cipher *c = file_cipher(p);
    int opened = c && open_page(c, out, aad) == 0;
    if (!opened && pgno != 1 && refresh_salt(p)) {
        c = file_cipher(p);
        opened = c && open_page(c, out, aad) == 0;
    }
    if (!opened) {
        sqlite3_log(SQLITE_IOERR_DATA, "lexgraph-aes: page %lld of \"%s\" does not decrypt (wrong key or changed file)", pgno, p->name);
        return SQLITE_IOERR_DATA;
    }
    if (pgno == 1) p->headerChecked = header_is_valid(out);
    return SQLITE_OK;
}

static int db_read(CryptFile *p, unsigned char *buf, int amount, sqlite3_int64 offset) {
    if (offset % PS == 0 && amount == PS) return read_db_page(p, offset / PS + 1, buf);
    if (scratch(p, PS) != 0) return SQLITE_IOERR_NOMEM;
    int result = SQLITE_OK;
    sqlite3_int64 end = offset + amount;
    for (sqlite3_int64 pg = offset / PS; pg * PS < end; pg++) {
        int rc = read_db_page(p, pg + 1, p->scratch);
        if (rc == SQLITE_IOERR_SHORT_READ) result = rc;
        else if (rc != SQLITE_OK) return rc;
        sqlite3_int64 from = pg * PS > offset ? pg * PS : offset;
        sqlite3_int64 to = (pg + 1) * PS < end ? (pg + 1) * PS : end;
        memcpy(buf + (from - offset), p->scratch + (from - pg * PS), (size_t)(to - from));
    }
    return result;
}

static int db_write(CryptFile *p, const unsigned char *buf, int amount, sqlite3_int64 offset) {
    if (offset % PS != 0 || amount != PS) {
        sqlite3_log(SQLITE_IOERR_WRITE, "lexgraph-aes: refusing a %d-byte write at %lld of \"%s\" (encrypted databases write whole %d-byte pages)", amount, offset, p->name, PS);
        return SQLITE_IOERR_WRITE;
    }
    sqlite3_int64 pgno = offset / PS + 1;
    if (pgno == 1) p->headerChecked = header_is_valid(buf);
    else if (!p->headerChecked) {
        // This connection has not seen page 1 since it was created: check it on disk.
        unsigned char first[PS];
        read_db_page(p, 1, first);
        memset(first, 0, sizeof first);
    }
    if (!p->headerChecked || !reserved_is_zero(buf)) {
        sqlite3_log(SQLITE_IOERR_WRITE, "lexgraph-aes: refusing to write page %lld of \"%s\": encrypted databases need %d-byte pages with %d reserved bytes", pgno, p->name, PS, LGCRYPT_RESERVE);
        return SQLITE_IOERR_WRITE;
    }
    Cipher *c = file_cipher(p);
    if (!c || scratch(p, PS) != 0) return SQLITE_IOERR_WRITE;
    unsigned char aad[12];
    make_aad(aad, 0, pgno);
    if (seal_page(c, buf, p->scratch, aad) != 0) return SQLITE_IOERR_WRITE;
    if (pgno == 1) {
        memcpy(p->scratch + SALT_AT, p->salt, 16);
        memcpy(p->scratch + MAGIC_AT, MAGIC, 4);
    }
    return ORIGFILE(p)->pMethods->xWrite(ORIGFILE(p), p->scratch, PS, offset);
}

// WAL: a 32-byte header, then frames of a 24-byte header and a page image. Only the
// page images are encrypted. `first` is the first frame whose page overlaps the range.
static sqlite3_int64 wal_page_start(sqlite3_int64 frame) { return WAL_HEADER + frame * FRAME + FRAME_HEADER; }

static sqlite3_int64 wal_first_frame(sqlite3_int64 offset) {
    if (offset < WAL_HEADER + FRAME_HEADER) return 0;
    sqlite3_int64 f = (offset - WAL_HEADER - FRAME_HEADER) / FRAME;
    return f;
}

static int wal_read(CryptFile *p, unsigned char *buf, int amount, sqlite3_int64 offset) {
    sqlite3_file *f = ORIGFILE(p);
    int rc = f->pMethods->xRead(f, buf, amount, offset);
    if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) return rc;
    sqlite3_int64 size = -1;
    if (rc == SQLITE_IOERR_SHORT_READ && f->pMethods->xFileSize(f, &size) != SQLITE_OK) return SQLITE_IOERR_READ;
    sqlite3_int64 end = offset + amount;
    for (sqlite3_int64 fr = wal_first_frame(offset); wal_page_start(fr) < end; fr++) {
        sqlite3_int64 start = wal_page_start(fr);
        if (start + PS <= offset) continue;
        if (size >= 0 && start + PS > size) break; // not (wholly) in the file: left as read
        unsigned char aad[12];
        make_aad(aad, 1, start);
        Cipher *c = file_cipher(p);
        int whole = start >= offset && start + PS <= end;
        unsigned char *page = buf + (start - offset);
        if (!whole) {
            if (scratch(p, PS) != 0) return SQLITE_IOERR_NOMEM;
            int r = f->pMethods->xRead(f, p->scratch, PS, start);
            if (r != SQLITE_OK) return r == SQLITE_IOERR_SHORT_READ ? SQLITE_IOERR_DATA : r;
            page = p->scratch;
        }
        int opened = c && open_page(c, page, aad) == 0;
        if (!opened && p->db && refresh_salt(p->db)) {
            c = file_cipher(p);
            opened = c && open_page(c, page, aad) == 0;
        }
        if (!opened) {
            // A read that includes the frame header is WAL recovery: hand the page back
            // undecrypted so the frame checksum rejects it (a torn last frame).
            if (whole && start - FRAME_HEADER >= offset) continue;
            sqlite3_log(SQLITE_IOERR_DATA, "lexgraph-aes: WAL frame %lld of \"%s\" does not decrypt", fr, p->name);
            return SQLITE_IOERR_DATA;
        }
        if (!whole) {
            sqlite3_int64 from = start > offset ? start : offset;
            sqlite3_int64 to = start + PS < end ? start + PS : end;
            memcpy(buf + (from - offset), p->scratch + (from - start), (size_t)(to - from));
        }
    }
    return rc;
}

static int wal_write(CryptFile *p, const unsigned char *buf, int amount, sqlite3_int64 offset) {
    sqlite3_int64 end = offset + amount;
    int copied = 0;
    for (sqlite3_int64 fr = wal_first_frame(offset); wal_page_start(fr) < end; fr++) {
        sqlite3_int64 start = wal_page_start(fr);
        if (start + PS <= offset) continue;
        if (start < offset || start + PS > end || !reserved_is_zero(buf + (start - offset))) {
            sqlite3_log(SQLITE_IOERR_WRITE, "lexgraph-aes: refusing a partial or unreserved page write at %lld of the WAL \"%s\"", offset, p->name);
            return SQLITE_IOERR_WRITE;
        }
        if (!copied) {
            if (scratch(p, amount + PS) != 0) return SQLITE_IOERR_NOMEM;
            memcpy(p->scratch, buf, (size_t)amount);
            copied = 1;
        }
        Cipher *c = file_cipher(p);
        unsigned char aad[12];
        make_aad(aad, 1, start);
        unsigned char *sealed = p->scratch + amount;
        if (!c || seal_page(c, buf + (start - offset), sealed, aad) != 0) return SQLITE_IOERR_WRITE;
        memcpy(p->scratch + (start - offset), sealed, PS);
    }
    sqlite3_file *f = ORIGFILE(p);
    return f->pMethods->xWrite(f, copied ? p->scratch : buf, amount, offset);
}

// MARK: io methods

static int cClose(sqlite3_file *pFile) {
    CryptFile *p = (CryptFile *)pFile;
    cipher_free(&p->cipher);
    if (p->scratch) { memset(p->scratch, 0, (size_t)p->scratchSize); free(p->scratch); }
    p->scratch = NULL;
    return ORIGFILE(p)->pMethods->xClose(ORIGFILE(p));
}

static int cRead(sqlite3_file *pFile, void *buf, int amount, sqlite3_int64 offset) {
    CryptFile *p = (CryptFile *)pFile;
    if (p->isJournal) return ORIGFILE(p)->pMethods->xRead(ORIGFILE(p), buf, amount, offset);
    return p->isWal ? wal_read(p, buf, amount, offset) : db_read(p, buf, amount, offset);
}

static int cWrite(sqlite3_file *pFile, const void *buf, int amount, sqlite3_int64 offset) {
    CryptFile *p = (CryptFile *)pFile;
    if (p->isJournal) {
        // A journal record is a 4-byte page number, the page image, a 4-byte checksum;
        // its image is the one page-sized write not at a page-aligned offset (headers are
        // sector-aligned, and record images sit 4 bytes past an 8-byte boundary).
        if (amount == PS && offset % PS != 0) {
            sqlite3_log(SQLITE_IOERR_WRITE, "lexgraph-aes: refusing to write a page image into the rollback journal \"%s\" (it would be plaintext)", p->name);
            return SQLITE_IOERR_WRITE;
        }
        return ORIGFILE(p)->pMethods->xWrite(ORIGFILE(p), buf, amount, offset);
    }
    return p->isWal ? wal_write(p, buf, amount, offset) : db_write(p, buf, amount, offset);
}

static int cTruncate(sqlite3_file *f, sqlite3_int64 size) { return ORIGFILE(f)->pMethods->xTruncate(ORIGFILE(f), size); }
static int cSync(sqlite3_file *f, int flags) { return ORIGFILE(f)->pMethods->xSync(ORIGFILE(f), flags); }
static int cFileSize(sqlite3_file *f, sqlite3_int64 *size) { return ORIGFILE(f)->pMethods->xFileSize(ORIGFILE(f), size); }
static int cLock(sqlite3_file *f, int lock) { return ORIGFILE(f)->pMethods->xLock(ORIGFILE(f), lock); }
static int cUnlock(sqlite3_file *f, int lock) { return ORIGFILE(f)->pMethods->xUnlock(ORIGFILE(f), lock); }
static int cCheckReservedLock(sqlite3_file *f, int *out) { return ORIGFILE(f)->pMethods->xCheckReservedLock(ORIGFILE(f), out); }
static int cSectorSize(sqlite3_file *f) { return ORIGFILE(f)->pMethods->xSectorSize(ORIGFILE(f)); }
static int cDeviceCharacteristics(sqlite3_file *f) { return ORIGFILE(f)->pMethods->xDeviceCharacteristics(ORIGFILE(f)); }
static int cShmMap(sqlite3_file *f, int pg, int size, int extend, void volatile **pp) { return ORIGFILE(f)->pMethods->xShmMap(ORIGFILE(f), pg, size, extend, pp); }
static int cShmLock(sqlite3_file *f, int offset, int n, int flags) { return ORIGFILE(f)->pMethods->xShmLock(ORIGFILE(f), offset, n, flags); }
static void cShmBarrier(sqlite3_file *f) { ORIGFILE(f)->pMethods->xShmBarrier(ORIGFILE(f)); }
static int cShmUnmap(sqlite3_file *f, int del) { return ORIGFILE(f)->pMethods->xShmUnmap(ORIGFILE(f), del); }
// No memory mapping: SQLite would read the ciphertext directly.
static int cFetch(sqlite3_file *f, sqlite3_int64 offset, int amount, void **pp) { (void)f; (void)offset; (void)amount; *pp = 0; return SQLITE_OK; }
static int cUnfetch(sqlite3_file *f, sqlite3_int64 offset, void *page) { (void)f; (void)offset; (void)page; return SQLITE_OK; }

static int pragma_error(char **args, const char *message) {
    args[0] = sqlite3_mprintf("%s", message);
    return SQLITE_ERROR;
}

static int cFileControl(sqlite3_file *pFile, int op, void *arg) {
    CryptFile *p = (CryptFile *)pFile;
    if (op == SQLITE_FCNTL_PRAGMA && !p->isWal && !p->isJournal) {
        char **args = (char **)arg;
        if (args[1] && args[2]) {
            if (sqlite3_stricmp(args[1], "page_size") == 0 && atoi(args[2]) != PS) {
                return pragma_error(args, "encrypted Lexgraph databases use 4096-byte pages");
            }
            if (sqlite3_stricmp(args[1], "journal_mode") == 0
                && (sqlite3_stricmp(args[2], "delete") == 0 || sqlite3_stricmp(args[2], "truncate") == 0
                    || sqlite3_stricmp(args[2], "persist") == 0)) {
                return pragma_error(args, "encrypted Lexgraph databases stay in WAL mode (a rollback journal would hold plaintext pages)");
            }
        }
    }
    int rc = ORIGFILE(p)->pMethods->xFileControl(ORIGFILE(p), op, arg);
    if (rc == SQLITE_OK && op == SQLITE_FCNTL_VFSNAME) {
        *(char **)arg = sqlite3_mprintf(LGCRYPT_VFS_NAME "/%z", *(char **)arg);
    }
    return rc;
}

static const sqlite3_io_methods crypt_methods = {
    3, cClose, cRead, cWrite, cTruncate, cSync, cFileSize, cLock, cUnlock,
    cCheckReservedLock, cFileControl, cSectorSize, cDeviceCharacteristics,
    cShmMap, cShmLock, cShmBarrier, cShmUnmap, cFetch, cUnfetch,
};

// MARK: VFS

static int vOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *pFile, int flags, int *outFlags) {
    sqlite3_vfs *orig = ORIGVFS(vfs);
    if ((flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL)) == 0) {
        pFile->pMethods = NULL;
        sqlite3_log(SQLITE_CANTOPEN, "lexgraph-aes: refusing to open a temporary file (flags 0x%x) for an encrypted database: it would hold plaintext pages", flags);
        return SQLITE_CANTOPEN;
    }
    CryptFile *p = (CryptFile *)pFile;
    memset(p, 0, sizeof *p);
    p->name = name;
    p->isWal = (flags & SQLITE_OPEN_WAL) != 0;
    p->isJournal = (flags & SQLITE_OPEN_MAIN_JOURNAL) != 0;
    if (p->isJournal) {
        int rc = orig->xOpen(orig, name, ORIGFILE(p), flags, outFlags);
        if (rc == SQLITE_OK) pFile->pMethods = &crypt_methods;
        return rc;
    }
    if (p->isWal) {
        p->db = (CryptFile *)sqlite3_database_file_object(name);
        p->keyHandle = p->db ? p->db->keyHandle : 0;
    } else {
        p->keyHandle = (int)sqlite3_uri_int64(name, LGCRYPT_KEY_PARAMETER, 0);
    }
    if (p->keyHandle < 1 || p->keyHandle > key_count) {
        sqlite3_log(SQLITE_CANTOPEN, "lexgraph-aes: no registered key for \"%s\"", name ? name : "");
        return SQLITE_CANTOPEN;
    }
    sqlite3_file *sub = ORIGFILE(p);
    int rc = orig->xOpen(orig, name, sub, flags, outFlags);
    if (rc != SQLITE_OK) return rc;
    pFile->pMethods = &crypt_methods;
    if (!p->isWal) {
        // The salt of an existing database is on page 1; a new (empty) one gets a fresh one.
        sqlite3_int64 size = 0;
        sub->pMethods->xFileSize(sub, &size);
        if (size == 0) {
            if (RAND_bytes(p->salt, 16) == 1) p->saltKnown = 1;
        } else if (size >= PS) {
            unsigned char tail[20];
            if (sub->pMethods->xRead(sub, tail, 20, SALT_AT) == SQLITE_OK && memcmp(tail + 16, MAGIC, 4) == 0) {
                memcpy(p->salt, tail, 16);
                p->saltKnown = 1;
            }
        }
    }
    return SQLITE_OK;
}

static int vDelete(sqlite3_vfs *v, const char *path, int dirSync) { return ORIGVFS(v)->xDelete(ORIGVFS(v), path, dirSync); }
static int vAccess(sqlite3_vfs *v, const char *path, int flags, int *out) { return ORIGVFS(v)->xAccess(ORIGVFS(v), path, flags, out); }
static int vFullPathname(sqlite3_vfs *v, const char *path, int n, char *out) { return ORIGVFS(v)->xFullPathname(ORIGVFS(v), path, n, out); }
static void *vDlOpen(sqlite3_vfs *v, const char *path) { return ORIGVFS(v)->xDlOpen(ORIGVFS(v), path); }
static void vDlError(sqlite3_vfs *v, int n, char *out) { ORIGVFS(v)->xDlError(ORIGVFS(v), n, out); }
static void (*vDlSym(sqlite3_vfs *v, void *h, const char *sym))(void) { return ORIGVFS(v)->xDlSym(ORIGVFS(v), h, sym); }
static void vDlClose(sqlite3_vfs *v, void *h) { ORIGVFS(v)->xDlClose(ORIGVFS(v), h); }
static int vRandomness(sqlite3_vfs *v, int n, char *out) { return ORIGVFS(v)->xRandomness(ORIGVFS(v), n, out); }
static int vSleep(sqlite3_vfs *v, int us) { return ORIGVFS(v)->xSleep(ORIGVFS(v), us); }
static int vCurrentTime(sqlite3_vfs *v, double *out) { return ORIGVFS(v)->xCurrentTime(ORIGVFS(v), out); }
static int vGetLastError(sqlite3_vfs *v, int n, char *out) { return ORIGVFS(v)->xGetLastError(ORIGVFS(v), n, out); }
static int vCurrentTimeInt64(sqlite3_vfs *v, sqlite3_int64 *out) { return ORIGVFS(v)->xCurrentTimeInt64(ORIGVFS(v), out); }
static int vSetSystemCall(sqlite3_vfs *v, const char *name, sqlite3_syscall_ptr call) { return ORIGVFS(v)->xSetSystemCall(ORIGVFS(v), name, call); }
static sqlite3_syscall_ptr vGetSystemCall(sqlite3_vfs *v, const char *name) { return ORIGVFS(v)->xGetSystemCall(ORIGVFS(v), name); }
static const char *vNextSystemCall(sqlite3_vfs *v, const char *name) { return ORIGVFS(v)->xNextSystemCall(ORIGVFS(v), name); }

static sqlite3_vfs crypt_vfs = {
    3, 0, 1024, 0, LGCRYPT_VFS_NAME, 0,
    vOpen, vDelete, vAccess, vFullPathname, vDlOpen, vDlError, vDlSym, vDlClose,
    vRandomness, vSleep, vCurrentTime, vGetLastError, vCurrentTimeInt64,
    vSetSystemCall, vGetSystemCall, vNextSystemCall,
};

int lgcrypt_register_vfs(void) {
    pthread_mutex_lock(&registry_lock);
    int rc = SQLITE_OK;
    if (sqlite3_vfs_find(LGCRYPT_VFS_NAME) == NULL) {
        sqlite3_vfs *orig = sqlite3_vfs_find(NULL);
        if (orig == NULL) rc = SQLITE_ERROR;
        else {
            crypt_vfs.iVersion = orig->iVersion < 3 ? orig->iVersion : 3;
            crypt_vfs.pAppData = orig;
            crypt_vfs.mxPathname = orig->mxPathname;
            crypt_vfs.szOsFile = (int)sizeof(CryptFile) + orig->szOsFile;
            rc = sqlite3_vfs_register(&crypt_vfs, 0);
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

// MARK: Inspection

int lgcrypt_inspect(const char *path, int key, long long *size, long long *pages) {
    *size = 0;
    *pages = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return LGCRYPT_FILE_UNREADABLE;
    struct stat st;
    if (fstat(fd, &st) != 0) { close(fd); return LGCRYPT_FILE_UNREADABLE; }
    *size = st.st_size;
    if (st.st_size == 0) { close(fd); return LGCRYPT_FILE_EMPTY; }
    unsigned char page[PS];
    ssize_t got = pread(fd, page, PS, 0);
    close(fd);
    if (got < 0) return LGCRYPT_FILE_UNREADABLE;
    if (got >= 16 && memcmp(page, "SQLite format 3", 16) == 0) return LGCRYPT_FILE_PLAIN_SQLITE;
    if (got < PS) {
        // Too short to hold page 1: an encrypted database cut short, or something else.
        return LGCRYPT_FILE_TRUNCATED;
    }
    if (memcmp(page + MAGIC_AT, MAGIC, 4) != 0) return LGCRYPT_FILE_UNKNOWN;
    if (key <= 0) return LGCRYPT_FILE_ENCRYPTED;
    unsigned char derivedKey[32];
    if (derive_key(key, page + SALT_AT, derivedKey) != 0) return LGCRYPT_FILE_UNREADABLE;
    Cipher c;
    memset(&c, 0, sizeof c);
    int ok = cipher_set_key(&c, derivedKey) == 0;
    memset(derivedKey, 0, sizeof derivedKey);
    unsigned char aad[12];
    make_aad(aad, 0, 1);
    ok = ok && open_page(&c, page, aad) == 0;
    cipher_free(&c);
    if (!ok) return LGCRYPT_FILE_WRONG_KEY;
    // The header's page count is valid when its change counter matches (offsets 24, 92).
    uint32_t count = ((uint32_t)page[28] << 24) | ((uint32_t)page[29] << 16) | ((uint32_t)page[30] << 8) | page[31];
    if (memcmp(page + 24, page + 92, 4) == 0) *pages = count;
    memset(page, 0, sizeof page);
    // Whether the size fits the page count is for the caller to judge: after a crash in
    // a checkpoint the file may be short while its WAL still holds the missing pages.
    return LGCRYPT_FILE_ENCRYPTED_OK;
}
