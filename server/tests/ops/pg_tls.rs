//! PostgreSQL over TLS (decision 016): sqlx with rustls, so `sslmode=verify-full` and
//! `sslrootcert=…` work. The test makes its own CA and server certificate, starts its own
//! PostgreSQL with `ssl=on` that accepts TLS connections only, and proves: verify-full with the
//! right CA connects and migrates (over TLS); another CA, another host name, or no TLS at all
//! is refused.

use crate::tls;
use std::path::{Path, PathBuf};
use std::process::Command;

use offduty_server::db::{Db, migrate};
use offduty_testkit::TempDir;

/// `name` from PostgreSQL's server binaries; a clear failure (not a skip) when absent.
fn pg_bin(name: &str) -> PathBuf {
    let found = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|d| d.path().join("bin").join(name))
        .find(|p| p.exists());
    found.unwrap_or_else(|| {
        panic!(
            "PostgreSQL's {name} was not found under /usr/lib/postgresql/*/bin: install the \
             server (scripts/pg-start.sh and scripts/test.sh do: apt-get install postgresql)"
        )
    })
}

/// Runs a PostgreSQL tool, as the `postgres` user when we are root (PostgreSQL refuses root).
fn run_pg(tool: &str, args: &[&str]) {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false);
    let bin = pg_bin(tool);
    let out = if is_root {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&bin)
            .args(args)
            .output()
    } else {
        Command::new(&bin).args(args).output()
    }
    .unwrap_or_else(|e| panic!("run {tool}: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Our own PostgreSQL, TLS only, on a free loopback port; stopped on drop.
struct TlsPostgres {
    _dir: TempDir,
    data: PathBuf,
    port: u16,
}

impl TlsPostgres {
    fn start(dir: TempDir, cert: &Path, key: &Path) -> TlsPostgres {
        // Everything PostgreSQL touches belongs to the user it runs as.
        let _ = Command::new("chown")
            .args(["-R", "postgres:"])
            .arg(dir.path())
            .status();
        let data = dir.join("data");
        run_pg(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        // TLS connections only: no `host` line, so a plain connection finds no rule.
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n",
        )
        .unwrap();
        let port = tls::free_port();
        let opts = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c ssl=on -c ssl_cert_file={} \
             -c ssl_key_file={} -c fsync=off",
            dir.path().display(),
            cert.display(),
            key.display()
        );
        run_pg(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-l",
                dir.join("server.log").to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "-o",
                &opts,
                "start",
            ],
        );
        TlsPostgres {
            _dir: dir,
            data,
            port,
        }
    }

    fn url(&self, host: &str, params: &str) -> String {
        format!("postgres://postgres@{host}:{}/postgres?{params}", self.port)
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        let data = self.data.to_str().unwrap().to_string();
        let _ = std::panic::catch_unwind(|| {
            run_pg("pg_ctl", &["-D", &data, "-m", "immediate", "stop"])
        });
    }
}

async fn refused(url: &str) -> String {
    match Db::connect(url, 1).await {
        Ok(_) => panic!("connected with {url}"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn verify_full_with_the_right_ca_connects_and_migrates_anything_else_is_refused() {
    let dir = TempDir::new("pg-tls");
    let pki = tls::Pki::new("offduty test CA", &["localhost"]);
    let (ca, cert, key) = pki.write(dir.path());
    let stranger = tls::Pki::new("some other CA", &["localhost"]);
    let stranger_ca = dir.join("other-ca.crt");
    std::fs::write(&stranger_ca, &stranger.ca_pem).unwrap();
    let pg = TlsPostgres::start(dir, &cert, &key);
    let verify = |ca: &Path| format!("sslmode=verify-full&sslrootcert={}", ca.display());

    // The right CA and the name on the certificate: connects, migrates, and is encrypted.
    let db = Db::connect(&pg.url("localhost", &verify(&ca)), 2)
        .await
        .expect("verify-full with the right CA connects");
    let applied = migrate::migrate(&db).await.unwrap();
    assert!(!applied.is_empty(), "a fresh database gets every migration");
    let row = sqlx::query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    use sqlx::Row;
    assert!(row.get::<bool, _>("ssl"), "the session is not encrypted");
    let version: String = row.get("version");
    assert!(version.starts_with("TLSv1."), "{version}");
    db.pool.close().await;

    // Another CA: the server's certificate is not trusted.
    let e = refused(&pg.url("localhost", &verify(&stranger_ca))).await;
    assert!(e.to_lowercase().contains("certificate"), "{e}");
    // The right CA, but a name the certificate is not for.
    let e = refused(&pg.url("127.0.0.1", &verify(&ca))).await;
    assert!(e.to_lowercase().contains("certificate"), "{e}");
    // No TLS: this server accepts none.
    let e = refused(&pg.url("127.0.0.1", "sslmode=disable")).await;
    assert!(e.contains("pg_hba.conf"), "{e}");
}
