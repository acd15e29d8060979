//! Configuration: the TOML file (`load`), the validated model (`model`) and the secrets
//! it points to (`secrets`).

pub mod load;
pub mod model;
pub mod secrets;

pub use load::{ConfigError, Diagnostic, load, load_str};
pub use model::Config;
pub use secrets::{SecretError, load_token_key};
