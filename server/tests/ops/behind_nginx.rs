//! The server behind nginx over TLS, configured exactly as the README's "Serving behind TLS"
//! says (its nginx block is read from README.md; only ports, paths and certificates are put in
//! for the test): a client trusting the test CA signs in and reads `/v1/me` over HTTPS; request
//! ids pass through both ways; `X-Forwarded-For` is believed from the proxy only as far as its
//! own hop. Fails — never skips — when nginx is not installed (scripts/test.sh installs it).

use crate::tls;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::{Value, json};

use offduty_domain::protocol::Role;
use offduty_server::app::AppState;
use offduty_server::db::{Db, migrate};
use offduty_server::seed::{NewDepartment, NewUser, create_department, create_user};
use offduty_testkit::{ServerProcess, TempDir, server_bin};

const EMAIL: &str = "officer@behind-nginx.test";
const PASSWORD: &str = "correct horse battery staple";

fn nginx_bin() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "nginx is not installed, and this test needs it (it is not skipped): \
                 `apt-get install nginx` — scripts/test.sh installs it"
            )
        })
}

/// The nginx block of the README's "Serving behind TLS" section.
fn readme_nginx_block() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let section = readme
        .split("## Serving behind TLS")
        .nth(1)
        .expect("README.md has a \"Serving behind TLS\" section");
    let block = section
        .split("```nginx\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("that section has an ```nginx block");
    block.to_string()
}

/// The README's block with this test's ports, files and certificate put in.
fn site_config(
    port: u16,
    upstream: SocketAddr,
    cert: &Path,
    key: &Path,
    access_log: &Path,
) -> String {
    let mut site = readme_nginx_block();
    for (from, to) in [
        ("listen 443 ssl;", format!("listen 127.0.0.1:{port} ssl;")),
        ("server 127.0.0.1:8080;", format!("server {upstream};")),
        ("/etc/ssl/offduty/fullchain.pem", cert.display().to_string()),
        ("/etc/ssl/offduty/privkey.pem", key.display().to_string()),
        (
            "/var/log/nginx/offduty.access.log",
            access_log.display().to_string(),
        ),
    ] {
        assert!(
            site.contains(from),
            "the README's nginx block no longer has {from:?}; update this test with it"
        );
        site = site.replace(from, &to);
    }
    site
}

/// nginx in the foreground, as one process (no user switch when run as root), every file in
/// `dir`; stopped on drop.
struct Nginx {
    child: Child,
    dir: PathBuf,
}

impl Nginx {
    fn start(dir: &Path, site: &str, port: u16) -> Nginx {
        let d = dir.display();
        let conf = format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n\
             error_log {d}/error.log info;\nevents {{ worker_connections 64; }}\n\
             http {{\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  \
             scgi_temp_path {d}/scgi;\n  access_log off;\n{site}\n}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let child = Command::new(nginx_bin())
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .arg("-e")
            .arg(dir.join("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start nginx");
        let mut nginx = Nginx {
            child,
            dir: dir.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = nginx.child.try_wait().unwrap() {
                panic!("nginx exited ({status}): {}", nginx.error_log());
            }
            assert!(
                Instant::now() < deadline,
                "nginx not listening: {}",
                nginx.error_log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        nginx
    }

    fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A migrated SQLite file with one officer who can sign in with [`PASSWORD`].
async fn database(dir: &TempDir) -> String {
    let url = format!("sqlite://{}", dir.join("offduty.db").display());
    let db = Db::connect(&url, 2).await.unwrap();
    migrate::migrate(&db).await.unwrap();
    AppState::new(db.clone()).await.unwrap();
    let dept = create_department(&db, &NewDepartment::new("Proxy", "America/New_York"))
        .await
        .unwrap();
    let hash = offduty_server::auth::passwords::hash_password(PASSWORD).unwrap();
    let mut u = NewUser::new(dept, Role::Officer, EMAIL, &hash);
    u.permit_expires_at = Some(Utc::now() + chrono::Duration::days(365));
    create_user(&db, &u).await.unwrap();
    db.pool.close().await;
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signs_in_and_reads_over_https_through_nginx_with_request_ids_and_forwarded_for() {
    let started = Instant::now();
    let nginx_bin_found = nginx_bin();
    let dir = TempDir::new("nginx");
    let pki = tls::Pki::new("offduty test CA", &["localhost"]);
    let (_, cert, key) = pki.write(dir.path());
    let url = database(&dir).await;
    let mut server = ServerProcess::start(
        &server_bin(),
        &[
            "--database-url",
            &url,
            "--listen",
            "127.0.0.1:0",
            "--trusted-proxy",
            "127.0.0.1",
            "--log-format",
            "json",
        ],
        &[("OFFDUTY_LOG", "warn,tower_http=debug")],
    );
    let port = tls::free_port();
    let access_log = dir.join("offduty.access.log");
    let site = site_config(port, server.addr, &cert, &key, &access_log);
    let nginx = Nginx::start(dir.path(), &site, port);
    let ready = started.elapsed();

    let base = format!("https://localhost:{port}");
    let to_nginx: SocketAddr = ([127, 0, 0, 1], port).into();
    let client = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(pki.ca_pem.as_bytes()).unwrap()])
        .resolve("localhost", to_nginx)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    // Sign in, then an authorized read; the ids nginx made (32 hex digits) came back.
    let r = client
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .expect("HTTPS through nginx with the test CA");
    assert_eq!(r.status(), 200);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "nginx's $request_id reached the server and came back: {id}"
    );
    let tokens: Value = r.json().await.unwrap();
    let access = tokens["access_token"].as_str().expect("an access token");
    let r = client
        .get(format!("{base}/v1/me"))
        .bearer_auth(access)
        .header("x-request-id", "through-nginx-1")
        .header("x-forwarded-for", "198.51.100.7")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-request-id"], "through-nginx-1");
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["user"]["email"], EMAIL, "{me}");
    // A problem through nginx: its body still names the request.
    let r = client
        .get(format!("{base}/v1/me"))
        .header("x-request-id", "through-nginx-401")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["request_id"], "through-nginx-401");

    // A client that does not trust the test CA is refused.
    let stranger = reqwest::Client::builder()
        .resolve("localhost", to_nginx)
        .build()
        .unwrap();
    let e = stranger
        .get(format!("{base}/v1/health"))
        .send()
        .await
        .expect_err("an unknown CA must be refused");
    assert!(
        format!("{e:?}").to_lowercase().contains("certificate"),
        "{e:?}"
    );

    let exchanges = started.elapsed();
    server.signal("TERM");
    assert!(server.wait_exit(Duration::from_secs(20)).unwrap().success());
    drop(nginx);

    // The server saw the client as the proxy's own hop reported it (127.0.0.1, appended by
    // nginx), not as the address the client claimed in its own X-Forwarded-For.
    let mut seen = 0;
    for raw in server.log() {
        let line: Value = serde_json::from_str(&raw).unwrap();
        if line["span"]["id"] == "through-nginx-1" {
            seen += 1;
            assert_eq!(line["span"]["client"], "127.0.0.1", "{raw}");
            assert_eq!(line["span"]["route"], "/v1/me", "{raw}");
        }
    }
    assert!(seen > 0, "no log line of the request through nginx");
    // nginx's access log names the same ids: one id across proxy and server.
    let access = std::fs::read_to_string(&access_log).unwrap();
    assert!(access.contains("rid=through-nginx-1"), "{access}");
    assert!(access.contains(&format!("rid={id}")), "{access}");
    eprintln!(
        "measured: {} ready in {ready:?}, all exchanges done at {exchanges:?}, total {:?}",
        nginx_bin_found.display(),
        started.elapsed()
    );
}
