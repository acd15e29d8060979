//! Reads and validates `loket.toml`. (stub: being written)
use std::path::Path;

use super::model::Config;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub key: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{} error(s) in the configuration", .0.len())]
    Invalid(Vec<Diagnostic>),
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    load_str(&text, path)
}

pub fn load_str(_text: &str, _path: &Path) -> Result<Config, ConfigError> {
    todo!()
}
