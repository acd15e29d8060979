//! Configuration: the TOML file (`load`) and the validated model (`model`).

pub mod load;
pub mod model;

pub use load::{ConfigError, Diagnostic, load, load_str};
pub use model::Config;
