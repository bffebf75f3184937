//! The `fastmcp` binary as a user runs it, with `HOME` and `XDG_CONFIG_HOME` in a temporary
//! directory: install into each client, discover, call by name, `--json` outputs, OAuth
//! against a local authorization server with the token cache.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use fastmcp::server::auth::{IntrospectionVerifier, RemoteAuth};
use fastmcp::{FastMCP, HttpOptions};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// A directory under the system's temporary one, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(label: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "fastmcp-cli-{label}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir.canonicalize().unwrap())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An example server of the `fastmcp` crate, built if needed (beside this test's binary).
fn example(name: &str) -> PathBuf {
    let built = Command::new(env!("CARGO"))
        .args(["build", "-q", "-p", "fastmcp", "--example", name])
        .status()
        .unwrap();
    assert!(built.success(), "cargo build --example {name}");
    let deps = std::env::current_exe().unwrap();
    let profile = deps.parent().and_then(Path::parent).unwrap();
    profile.join("examples").join(name)
}

/// `fastmcp ARGS…` with `home` as HOME and `home/.config` as XDG_CONFIG_HOME, in `cwd`.
fn fastmcp(home: &Path, cwd: &Path, args: &[&str]) -> Output {
    fastmcp_with(home, cwd, args, &[])
}

fn fastmcp_with(home: &Path, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fastmcp"));
    command
        .args(args)
        .current_dir(cwd)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("NO_COLOR", "1")
        .env_remove("FASTMCP_AUTH")
        .stdin(std::process::Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn failed(output: &Output, status: i32) -> String {
    assert_eq!(
        output.status.code(),
        Some(status),
        "stdout: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn install_then_discover_then_call_by_name() {
    let quickstart = example("quickstart");
    let quickstart = quickstart.to_str().unwrap();
    let home = Scratch::new("install");
    let home = home.0.as_path();
    let project = home.join("work/project");
    std::fs::create_dir_all(&project).unwrap();

    // Claude Desktop: the file's other settings and servers are kept.
    let desktop = home.join(".config/Claude/claude_desktop_config.json");
    std::fs::create_dir_all(desktop.parent().unwrap()).unwrap();
    std::fs::write(
        &desktop,
        r#"{"theme": "dark", "mcpServers": {"other": {"command": "/bin/other"}}}"#,
    )
    .unwrap();
    ok(&fastmcp(
        home,
        &project,
        &[
            "install",
            "claude-desktop",
            quickstart,
            "--env",
            "GREETING=hi",
        ],
    ));
    let config = read_json(&desktop);
    assert_eq!(config["theme"], "dark");
    assert_eq!(config["mcpServers"]["other"]["command"], "/bin/other");
    assert_eq!(config["mcpServers"]["quickstart"]["command"], quickstart);
    assert_eq!(config["mcpServers"]["quickstart"]["env"]["GREETING"], "hi");

    // The same name again: refused without --force, the file unchanged; replaced with it.
    let refused = failed(
        &fastmcp(home, &project, &["install", "claude-desktop", quickstart]),
        2,
    );
    assert!(refused.contains("--force"), "{refused}");
    assert_eq!(read_json(&desktop), config);
    ok(&fastmcp(
        home,
        &project,
        &["install", "claude-desktop", quickstart, "--force"],
    ));
    assert!(read_json(&desktop)["mcpServers"]["quickstart"]["env"].is_null());

    // Cursor (this workspace), VS Code (a URL), Goose (the user's config).
    ok(&fastmcp(
        home,
        &project,
        &[
            "install",
            "cursor",
            quickstart,
            "--name",
            "calc",
            "--workspace",
            ".",
        ],
    ));
    assert_eq!(
        read_json(&project.join(".cursor/mcp.json"))["mcpServers"]["calc"]["command"],
        quickstart
    );
    ok(&fastmcp(
        home,
        &project,
        &[
            "install",
            "vscode",
            "http://127.0.0.1:9/mcp",
            "--name",
            "remote",
        ],
    ));
    let vscode = read_json(&project.join(".vscode/mcp.json"));
    assert_eq!(vscode["servers"]["remote"]["type"], "http");
    assert_eq!(vscode["servers"]["remote"]["url"], "http://127.0.0.1:9/mcp");
    ok(&fastmcp(
        home,
        &project,
        &["install", "goose", quickstart, "--name", "goosecalc"],
    ));
    let goose = std::fs::read_to_string(home.join(".config/goose/config.yaml")).unwrap();
    assert!(
        goose.contains("goosecalc") && goose.contains("type: stdio"),
        "{goose}"
    );

    // mcp-json and stdio print; a URL for a stdio-only client goes through `fastmcp run`.
    let entry: Value = serde_json::from_str(&ok(&fastmcp(
        home,
        &project,
        &["install", "mcp-json", quickstart],
    )))
    .unwrap();
    assert_eq!(entry["quickstart"]["command"], quickstart);
    let line = ok(&fastmcp(
        home,
        &project,
        &["install", "stdio", quickstart, "--env", "A=b c"],
    ));
    assert_eq!(line.trim(), format!("A='b c' {quickstart}"));
    let bridged: Value = serde_json::from_str(&ok(&fastmcp(
        home,
        &project,
        &[
            "install",
            "mcp-json",
            "http://127.0.0.1:9/mcp",
            "--name",
            "r",
        ],
    )))
    .unwrap();
    assert_eq!(bridged["r"]["url"], "http://127.0.0.1:9/mcp");

    // Discover finds them all, with their sources.
    let found: Value =
        serde_json::from_str(&ok(&fastmcp(home, &project, &["discover", "--json"]))).unwrap();
    let names: Vec<(String, String)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["source"].as_str().unwrap().to_owned(),
                f["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("claude-desktop", "other"),
        ("claude-desktop", "quickstart"),
        ("cursor", "calc"),
        ("goose", "goosecalc"),
        ("vscode", "remote"),
    ] {
        assert!(
            names.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} not in {names:?}"
        );
    }
    let readable = ok(&fastmcp(
        home,
        &project,
        &["discover", "--source", "cursor"],
    ));
    assert!(
        readable.contains("calc") && !readable.contains("goosecalc"),
        "{readable}"
    );

    // Called by name, and by source:name.
    let sum = ok(&fastmcp(
        home,
        &project,
        &["call", "calc", "add", "a=2", "b=3"],
    ));
    assert_eq!(sum.trim(), "5");
    let sum = ok(&fastmcp(
        home,
        &project,
        &["call", "claude-desktop:quickstart", "add", "a=4", "b=3"],
    ));
    assert_eq!(sum.trim(), "7");
    let tools: Value = serde_json::from_str(&ok(&fastmcp(
        home,
        &project,
        &["list", "goosecalc", "--json"],
    )))
    .unwrap();
    assert!(
        tools
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "long_task")
    );

    // A name in two places with different entries: an error naming both.
    ok(&fastmcp(
        home,
        &project,
        &[
            "install",
            "cursor",
            quickstart,
            "--name",
            "quickstart",
            "--env",
            "X=1",
        ],
    ));
    let ambiguous = failed(&fastmcp(home, &project, &["list", "quickstart"]), 2);
    assert!(
        ambiguous.contains("claude-desktop:quickstart") && ambiguous.contains("cursor:quickstart"),
        "{ambiguous}"
    );
    let unknown = failed(&fastmcp(home, &project, &["list", "cursor:nope"]), 2);
    assert!(unknown.contains("no server named 'nope'"), "{unknown}");
}

#[test]
fn claude_code_and_gemini_cli_entries_go_through_their_own_mcp_add() {
    let quickstart = example("quickstart");
    let quickstart = quickstart.to_str().unwrap();
    let home = Scratch::new("add");
    let home = home.0.as_path();
    // Stand-ins for `claude` and `gemini` that record what they were asked.
    let bin = home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for program in ["claude", "gemini"] {
        let script = bin.join(program);
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$@\" >> {}/{program}.log\n",
                home.display()
            ),
        )
        .unwrap();
        let mut permissions = std::fs::metadata(&script).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        std::fs::set_permissions(&script, permissions).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let env = [("PATH", path.as_str())];
    ok(&fastmcp_with(
        home,
        home,
        &["install", "claude-code", quickstart, "--env", "K=v"],
        &env,
    ));
    let claude = std::fs::read_to_string(home.join("claude.log")).unwrap();
    let words: Vec<&str> = claude.lines().collect();
    assert_eq!(
        words,
        ["mcp", "add", "-e", "K=v", "quickstart", "--", quickstart]
    );
    ok(&fastmcp_with(
        home,
        home,
        &[
            "install",
            "gemini-cli",
            "http://127.0.0.1:9/mcp",
            "--name",
            "r",
        ],
        &env,
    ));
    let gemini = std::fs::read_to_string(home.join("gemini.log")).unwrap();
    let words: Vec<&str> = gemini.lines().collect();
    assert_eq!(
        words,
        [
            "mcp",
            "add",
            "--transport",
            "http",
            "r",
            "http://127.0.0.1:9/mcp"
        ]
    );
    // Without the client installed: a one-line error saying what to do.
    let missing = failed(
        &fastmcp_with(
            home,
            home,
            &["install", "claude-code", quickstart],
            &[("PATH", "/nonexistent")],
        ),
        2,
    );
    assert!(missing.contains("mcp-json"), "{missing}");
}

/// The local authorization server: auto-approving `/authorize`, `/token` for codes and
/// refresh tokens (opaque tokens, counted), introspection for the protected server.
#[derive(Clone, Default)]
struct Issuer {
    base: Arc<Mutex<String>>,
    codes: Arc<AtomicUsize>,
    refreshes: Arc<AtomicUsize>,
    refuse_refresh: Arc<std::sync::atomic::AtomicBool>,
    active: Arc<Mutex<Vec<String>>>,
}

async fn start_issuer() -> Issuer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = Issuer::default();
    *issuer.base.lock().unwrap() = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route(
            "/.well-known/oauth-authorization-server",
            axum::routing::get(metadata),
        )
        .route("/register", axum::routing::post(register))
        .route("/authorize", axum::routing::get(authorize))
        .route("/token", axum::routing::post(token))
        .route("/introspect", axum::routing::post(introspect))
        .with_state(issuer.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    issuer
}

async fn metadata(State(issuer): State<Issuer>) -> axum::Json<Value> {
    let base = issuer.base.lock().unwrap().clone();
    axum::Json(json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "registration_endpoint": format!("{base}/register"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
    }))
}

async fn register(
    axum::Json(mut request): axum::Json<Value>,
) -> (http::StatusCode, axum::Json<Value>) {
    request["client_id"] = json!("cli");
    request["token_endpoint_auth_method"] = json!("none");
    (http::StatusCode::CREATED, axum::Json(request))
}

async fn authorize(
    State(issuer): State<Issuer>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> (http::StatusCode, [(http::HeaderName, String); 1]) {
    let code = format!("code-{}", issuer.codes.fetch_add(1, Ordering::SeqCst));
    let redirect = format!(
        "{}?code={code}&state={}",
        query.get("redirect_uri").cloned().unwrap_or_default(),
        query.get("state").cloned().unwrap_or_default()
    );
    (
        http::StatusCode::FOUND,
        [(http::header::LOCATION, redirect)],
    )
}

async fn token(
    State(issuer): State<Issuer>,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> (http::StatusCode, axum::Json<Value>) {
    if form.get("grant_type").map(String::as_str) == Some("refresh_token") {
        if issuer.refuse_refresh.load(Ordering::SeqCst) {
            let refused = json!({"error": "invalid_grant"});
            return (http::StatusCode::BAD_REQUEST, axum::Json(refused));
        }
        issuer.refreshes.fetch_add(1, Ordering::SeqCst);
    }
    let mut active = issuer.active.lock().unwrap();
    let access = format!("access-{}", active.len());
    active.push(access.clone());
    let answer = json!({"access_token": access, "token_type": "Bearer", "expires_in": 3600,
        "refresh_token": format!("refresh-{}", active.len())});
    (http::StatusCode::OK, axum::Json(answer))
}

async fn introspect(
    State(issuer): State<Issuer>,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> axum::Json<Value> {
    let token = form.get("token").cloned().unwrap_or_default();
    let active = issuer.active.lock().unwrap().contains(&token);
    axum::Json(json!({"active": active, "sub": "cli-user", "scope": "read",
        "exp": 4_000_000_000u64}))
}

/// Adds two numbers.
#[fastmcp::tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[tokio::test(flavor = "multi_thread")]
async fn oauth_in_the_browser_then_cached_then_refreshed() {
    let issuer = start_issuer().await;
    let base = issuer.base.lock().unwrap().clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server_base = format!("http://{}", listener.local_addr().unwrap());
    let verifier = IntrospectionVerifier::new(format!("{base}/introspect"), "mcp", "secret")
        .cache_ttl(std::time::Duration::ZERO);
    let server = FastMCP::new("protected").tool(add).auth(
        RemoteAuth::new(verifier)
            .authorization_server(&base)
            .base_url(&server_base),
    );
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        server
            .serve_http(listener, HttpOptions::default(), stop)
            .await
            .unwrap()
    });
    let url = format!("{server_base}/mcp");
    let home = Scratch::new("oauth");
    let home = home.0.clone();
    // The "browser": follows the authorization URL's redirects to the CLI's callback.
    let browser_script = home.join("browser");
    std::fs::write(
        &browser_script,
        "#!/bin/sh\nif command -v curl >/dev/null; then exec curl -s -L -o /dev/null \"$1\"; fi\n\
         exec python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' \"$1\"\n",
    )
    .unwrap();
    let mut permissions = std::fs::metadata(&browser_script).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&browser_script, permissions).unwrap();
    let browser = browser_script.to_str().unwrap().to_owned();
    let call = {
        let (home, url) = (home.clone(), url.clone());
        move || {
            let (home, url, browser) = (home.clone(), url.clone(), browser.clone());
            tokio::task::spawn_blocking(move || {
                fastmcp_with(
                    &home,
                    &home,
                    &["call", &url, "add", "a=1", "b=2", "--auth", "oauth"],
                    &[("BROWSER", browser.as_str())],
                )
            })
        }
    };

    // Without credentials: the server's refusal, on one line, exit 2.
    let refused = {
        let (home, url) = (home.clone(), url.clone());
        tokio::task::spawn_blocking(move || fastmcp(&home, &home, &["list", &url]))
            .await
            .unwrap()
    };
    failed(&refused, 2);

    let first = call().await.unwrap();
    assert_eq!(ok(&first).trim(), "3");
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(
        stderr.contains("Authorize fastmcp in your browser"),
        "{stderr}"
    );
    assert_eq!(issuer.codes.load(Ordering::SeqCst), 1);
    let tokens = home.join(".config/fastmcp/tokens");
    let cache = std::fs::read_dir(&tokens)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|e| e == "json"))
        .expect("a token file");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&cache).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "the token file is the user's alone");

    // Cached: no browser this time.
    let second = call().await.unwrap();
    assert_eq!(ok(&second).trim(), "3");
    assert_eq!(
        issuer.codes.load(Ordering::SeqCst),
        1,
        "no second authorization"
    );
    assert!(!String::from_utf8_lossy(&second.stderr).contains("Authorize"));

    // Expired: refreshed with the refresh token, still no browser.
    let mut stored = read_json(&cache);
    stored["token_received_at"] = json!(1);
    std::fs::write(&cache, stored.to_string()).unwrap();
    let third = call().await.unwrap();
    assert_eq!(ok(&third).trim(), "3");
    assert_eq!(issuer.codes.load(Ordering::SeqCst), 1);
    assert_eq!(issuer.refreshes.load(Ordering::SeqCst), 1, "refreshed once");

    // Revoked, refresh token included: the server refuses the cached token, the browser
    // flow runs again.
    issuer.active.lock().unwrap().clear();
    issuer.refuse_refresh.store(true, Ordering::SeqCst);
    let fourth = call().await.unwrap();
    assert_eq!(ok(&fourth).trim(), "3");
    assert_eq!(issuer.codes.load(Ordering::SeqCst), 2);

    // An mcpServers file whose entry says `"auth": "oauth"` (another user: no cached token).
    let other = Scratch::new("oauth-config");
    let other = other.0.clone();
    let config = other.join("mcp.json");
    let entry = json!({"mcpServers": {"protected": {"url": url, "auth": "oauth"}}});
    std::fs::write(&config, entry.to_string()).unwrap();
    let config = config.to_str().unwrap().to_owned();
    let browser = browser_script.to_str().unwrap().to_owned();
    let fifth = tokio::task::spawn_blocking(move || {
        fastmcp_with(
            &other,
            &other,
            &["call", &config, "add", "a=2", "b=2"],
            &[("BROWSER", browser.as_str())],
        )
    })
    .await
    .unwrap();
    assert_eq!(ok(&fifth).trim(), "4");
    assert_eq!(
        issuer.codes.load(Ordering::SeqCst),
        3,
        "authorized in the browser"
    );
    shutdown.cancel();
}
