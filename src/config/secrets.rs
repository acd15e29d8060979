//! Secrets referenced from the config. The TOML only says *where* a secret lives
//! ([`SecretSource`]); this module fetches it. Nothing here ever puts a secret's contents in
//! an error message or a log line.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::model::SecretSource;

/// A token key shorter than this (after trimming whitespace) is refused.
pub const MIN_KEY_BYTES: usize = 16;

/// Random bytes in a freshly created key file (stored hex-encoded, so 64 characters).
const NEW_KEY_BYTES: usize = 32;

/// Why a secret could not be had. Each message names the file or variable and what to do.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "cannot read the token key file {}: {source}; check the path in [secrets] token_key_file and that loket may read the file",
        path.display()
    )]
    ReadFile { path: PathBuf, source: io::Error },

    #[error(
        "cannot create the token key file {}: {source}; create it yourself with `head -c 32 /dev/urandom | xxd -p -c 64 > {}` and `chmod 600 {}`, or fix the directory's permissions",
        path.display(), path.display(), path.display()
    )]
    CreateFile { path: PathBuf, source: io::Error },

    #[error(
        "cannot read random bytes from /dev/urandom to create the token key file {}: {source}; create the file yourself with `head -c 32 /dev/urandom | xxd -p -c 64 > {}`",
        path.display(), path.display()
    )]
    Random { path: PathBuf, source: io::Error },

    #[error(
        "the token key file {} holds only {len} byte(s) after trimming whitespace; at least {min} are needed. Make a proper key with `head -c 32 /dev/urandom | xxd -p -c 64 > {}` (note: a new key invalidates the reply tokens of messages already sent)",
        path.display(), path.display(), min = MIN_KEY_BYTES
    )]
    FileTooShort { path: PathBuf, len: usize },

    #[error(
        "environment variable {var} (named by [secrets] token_key_env) is not set or empty; set it to a random key, e.g. `export {var}=$(head -c 32 /dev/urandom | xxd -p -c 64)`, or use token_key_file instead"
    )]
    EnvMissing { var: String },

    #[error(
        "environment variable {var} (named by [secrets] token_key_env) holds only {len} byte(s) after trimming whitespace; at least {min} are needed. Set it to a proper key, e.g. `export {var}=$(head -c 32 /dev/urandom | xxd -p -c 64)`",
        min = MIN_KEY_BYTES
    )]
    EnvTooShort { var: String, len: usize },
}

/// Fetches the reply-token key. Returns the key bytes and whether the key file was created
/// just now (the caller should log that, naming the file, never the key).
///
/// The key is the trimmed contents of the file or variable, used as bytes as they are
/// (a generated file holds 32 random bytes as 64 hex characters).
///
/// * `File`: if the file does not exist, its parent directories and the file are created
///   with 32 random bytes from `/dev/urandom`, hex-encoded, mode 0600.
/// * `Env`: the variable must be set and hold at least [`MIN_KEY_BYTES`] bytes.
pub fn load_token_key(src: &SecretSource) -> Result<(Vec<u8>, bool), SecretError> {
    match src {
        SecretSource::File(path) => load_file(path),
        SecretSource::Env(var) => load_env(var).map(|key| (key, false)),
    }
}

fn load_file(path: &Path) -> Result<(Vec<u8>, bool), SecretError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok((checked_file_key(path, &bytes)?, false)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => create_file(path),
        Err(source) => Err(SecretError::ReadFile {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn checked_file_key(path: &Path, bytes: &[u8]) -> Result<Vec<u8>, SecretError> {
    let key = bytes.trim_ascii();
    if key.len() < MIN_KEY_BYTES {
        return Err(SecretError::FileTooShort {
            path: path.to_path_buf(),
            len: key.len(),
        });
    }
    Ok(key.to_vec())
}

fn create_file(path: &Path) -> Result<(Vec<u8>, bool), SecretError> {
    let create_err = |source| SecretError::CreateFile {
        path: path.to_path_buf(),
        source,
    };
    let mut raw = [0u8; NEW_KEY_BYTES];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut raw))
        .map_err(|source| SecretError::Random {
            path: path.to_path_buf(),
            source,
        })?;
    let key = hex::encode(raw);

    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(create_err)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = match opts.open(path) {
        Ok(f) => f,
        // Someone else created it between our read and now: use theirs.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return load_file(path),
        Err(e) => return Err(create_err(e)),
    };
    file.write_all(format!("{key}\n").as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(create_err)?;
    Ok((key.into_bytes(), true))
}

fn load_env(var: &str) -> Result<Vec<u8>, SecretError> {
    let value = std::env::var_os(var).map(|v| v.into_encoded_bytes());
    let Some(value) = value else {
        return Err(SecretError::EnvMissing { var: var.into() });
    };
    let key = value.trim_ascii();
    if key.is_empty() {
        return Err(SecretError::EnvMissing { var: var.into() });
    }
    if key.len() < MIN_KEY_BYTES {
        return Err(SecretError::EnvTooShort {
            var: var.into(),
            len: key.len(),
        });
    }
    Ok(key.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir() -> tempfile::TempDir {
        tempfile::tempdir().expect("tempdir")
    }

    #[test]
    fn creates_key_file_then_reuses_it() {
        let dir = tempdir();
        let path = dir.path().join("sub/dir/token.key");
        let src = SecretSource::File(path.clone());
        let (k1, created) = load_token_key(&src).unwrap();
        assert!(created);
        assert_eq!(k1.len(), 2 * NEW_KEY_BYTES);
        assert!(k1.iter().all(u8::is_ascii_hexdigit));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (k2, created) = load_token_key(&src).unwrap();
        assert!(!created);
        assert_eq!(k1, k2);
    }

    #[test]
    fn existing_file_is_trimmed() {
        let dir = tempdir();
        let path = dir.path().join("k");
        std::fs::write(&path, "  0123456789abcdef0123\n\n").unwrap();
        let (k, created) = load_token_key(&SecretSource::File(path)).unwrap();
        assert!(!created);
        assert_eq!(k, b"0123456789abcdef0123");
    }

    #[test]
    fn short_file_is_refused_without_leaking_it() {
        let dir = tempdir();
        let path = dir.path().join("k");
        std::fs::write(&path, "hunter2\n").unwrap();
        let err = load_token_key(&SecretSource::File(path.clone())).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, SecretError::FileTooShort { len: 7, .. }));
        assert!(msg.contains(&path.display().to_string()));
        assert!(msg.contains("head -c 32 /dev/urandom"));
        assert!(!msg.contains("hunter2"));
    }

    #[test]
    fn unreadable_path_is_an_error() {
        let dir = tempdir();
        // A directory is not a key file.
        let err = load_token_key(&SecretSource::File(dir.path().to_path_buf())).unwrap_err();
        assert!(matches!(err, SecretError::ReadFile { .. }), "{err}");
    }

    #[test]
    fn env_missing_names_the_variable() {
        let var = "LOKET_TEST_SECRETS_UNIT_SURELY_UNSET";
        let err = load_token_key(&SecretSource::Env(var.into())).unwrap_err();
        assert!(matches!(err, SecretError::EnvMissing { .. }));
        let msg = err.to_string();
        assert!(msg.contains(var));
        assert!(msg.contains("export"));
    }
}
