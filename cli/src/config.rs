//! Where things are: the data directory (SQLite file, and the secrets file when there is no
//! keyring), the server, and opening the core with the desktop's platform services.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use offduty_core::platform::SystemClock;
use offduty_core::{Core, CoreConfig, Services};

use crate::error::{CliError, Result};
use crate::secrets::{self, LazySigner};

/// The SQLite file's name inside the data directory.
pub const DB_FILE: &str = "offduty.db";

/// The global options, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    pub server: String,
    pub data_dir: PathBuf,
    pub json: bool,
    pub yes: bool,
}

/// The platform's data directory for offduty (`~/.local/share/offduty` on Linux,
/// `~/Library/Application Support/offduty` on macOS), else `$HOME/.local/share/offduty`.
pub fn default_data_dir() -> Result<PathBuf> {
    if let Some(dirs) = directories::ProjectDirs::from("", "", "offduty") {
        return Ok(dirs.data_dir().to_path_buf());
    }
    match std::env::var_os("HOME") {
        Some(home) if !home.is_empty() => Ok(PathBuf::from(home).join(".local/share/offduty")),
        _ => Err(CliError::bad_input(
            "cannot tell where to keep data (no home directory): pass --data-dir DIR",
        )),
    }
}

/// Creates `dir` (mode 0700 on Unix) if it does not exist.
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    #[cfg(unix)]
    let made = {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    };
    #[cfg(not(unix))]
    let made = std::fs::create_dir_all(dir);
    made.map_err(|e| {
        CliError::failure(format!(
            "cannot create the data directory {}: {e}",
            dir.display()
        ))
    })
}

/// The opened core and what the commands need around it.
pub struct Opened {
    pub core: Core,
    pub secrets_description: String,
    pub secrets_kind: &'static str,
}

/// Opens the core on the data directory with the OS keyring (or the secrets file), a lazily
/// created software signing key and the system clock.
pub fn open(settings: &Settings) -> Result<Opened> {
    ensure_private_dir(&settings.data_dir)?;
    let selected = secrets::select(&settings.data_dir)?;
    let signer = LazySigner::new(
        selected.store.clone(),
        secrets::signing_key_name(&settings.data_dir),
    );
    let services = Services {
        signer: Arc::new(signer),
        secrets: selected.store.clone(),
        clock: Arc::new(SystemClock::default()),
    };
    let config = CoreConfig::new(settings.data_dir.join(DB_FILE), &settings.server);
    let (core, report) = Core::open(config, services).map_err(|e| match e {
        offduty_core::CoreError::Invalid(e) => {
            CliError::bad_input(format!("invalid --server: {}", e.message))
        }
        other => CliError::failure(format!(
            "cannot open the local database in {}: {other}",
            settings.data_dir.display()
        )),
    })?;
    if let Some(r) = &report.rescue {
        eprintln!(
            "warning: the local database was corrupt ({}) and has been rebuilt; {} unsent \
             action(s) were carried over (export: {})",
            r.reason,
            r.actions.len(),
            r.export_path.display()
        );
    }
    Ok(Opened {
        core,
        secrets_description: selected.description,
        secrets_kind: selected.kind,
    })
}

/// This computer's host name: the label the device is registered under.
pub fn device_label() -> String {
    let name = gethostname::gethostname()
        .to_string_lossy()
        .trim()
        .to_string();
    if name.is_empty() {
        "offduty terminal".into()
    } else {
        name
    }
}
