// An encrypting SQLite VFS shim for Lexgraph graph databases (AES-256-GCM per page,
// OpenSSL libcrypto), modelled on SQLite's ext/misc/cksumvfs.c. See lexgraph_crypt.c
// for the on-disk layout and why this route was chosen over SQLCipher.
#ifndef LEXGRAPH_CRYPT_H
#define LEXGRAPH_CRYPT_H

#ifdef __cplusplus
extern "C" {
#endif

/// The VFS name to give SQLite (URI parameter `vfs=`).
#define LGCRYPT_VFS_NAME "lexgraph-aes"
/// The URI parameter naming the registered key (a handle, never the key itself).
#define LGCRYPT_KEY_PARAMETER "lexgraph_key"
/// Encrypted databases have this page size and this many reserved bytes per page.
#define LGCRYPT_PAGE_SIZE 4096
#define LGCRYPT_RESERVE 48
/// PBKDF2-HMAC-SHA256 rounds turning the key material into a page key.
#define LGCRYPT_KDF_ROUNDS 200000

/// Registers the VFS (not as the default). Safe to call more than once. SQLITE_OK or an error code.
int lgcrypt_register_vfs(void);

/// Keeps a copy of key material for the VFS and returns its handle (>= 1), or -1 when
/// out of memory or `length` is not positive. The same material gives the same handle.
int lgcrypt_register_key(const unsigned char *material, int length);

/// What `lgcrypt_inspect` found.
enum {
    LGCRYPT_FILE_ENCRYPTED_OK = 0, ///< page 1 carries the magic and decrypts with the key
    LGCRYPT_FILE_EMPTY = 1,        ///< a zero-length file (a new database)
    LGCRYPT_FILE_PLAIN_SQLITE = 2, ///< starts with the SQLite header: not encrypted
    LGCRYPT_FILE_UNKNOWN = 3,      ///< neither SQLite nor a Lexgraph encrypted database
    LGCRYPT_FILE_WRONG_KEY = 4,    ///< a Lexgraph encrypted database the key does not open
    LGCRYPT_FILE_TRUNCATED = 5,    ///< too short to hold page 1
    LGCRYPT_FILE_UNREADABLE = 6,   ///< cannot be opened or read (errno kept)
    LGCRYPT_FILE_ENCRYPTED = 7     ///< encrypted (magic found); no key was given to check
};

/// Looks at the database file at `path`: whether it is encrypted, and (with a key
/// handle > 0) whether that key opens it. `size` gets the file size, `pages` the page
/// count the decrypted header records (0 when unknown); comparing the two is left to
/// the caller (a crash in a checkpoint leaves a short file whose WAL holds the rest).
/// Reads only; never writes.
int lgcrypt_inspect(const char *path, int key, long long *size, long long *pages);

#ifdef __cplusplus
}
#endif
#endif
