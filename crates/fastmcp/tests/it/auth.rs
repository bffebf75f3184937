//! Server auth over real HTTP on 127.0.0.1: a local JWKS endpoint serving keys generated here
//! (RSA and EC), a local introspection endpoint, a local authorization server for OAuth
//! step-up, and a protected `FastMCP` — checked with raw requests and with our `Client`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair as _};
use axum::extract::{Form, Query, State};
use axum::response::IntoResponse;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use fastmcp::client::{Era, OAuth};
use fastmcp::middleware::{CallTool, Hook, Middleware, MiddlewareContext, Next};
use fastmcp::server::HttpOptions;
use fastmcp::server::auth::{
    AccessToken, IntrospectionVerifier, JwtVerifier, RemoteAuth, StaticTokens,
};
use fastmcp::types::{CallToolRequestParams, ErrorData};
use fastmcp::{Client, Context, FastMCP, prompt, resource, tool};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

const ISSUER: &str = "https://issuer.test";

/// Echoes `text`; needs scope `admin`.
#[tool(scopes = ["admin"])]
fn admin_echo(text: String) -> String {
    text
}

/// What the request's token and HTTP request say.
#[tool]
fn whoami(ctx: Context) -> Value {
    let token = ctx.access_token();
    let http = ctx.http_request();
    json!({
        "subject": token.and_then(|t| t.subject.clone()),
        "scopes": token.map(|t| t.scopes.clone()),
        "tenant": token.and_then(|t| t.claim::<u32>("tenant")),
        "header": http.and_then(|h| h.header("x-test")),
        "method": http.map(|h| h.method().to_string()),
        "path": http.map(|h| h.path().to_owned()),
        "peer_is_loopback": http.and_then(|h| h.peer_addr()).map(|a| a.ip().is_loopback()),
    })
}

/// A signing key and its public JWK.
struct SigningKey {
    kid: String,
    alg: Algorithm,
    encoding: EncodingKey,
    jwk: Value,
    /// The public key's DER (for the algorithm-confusion attack).
    public_der: Vec<u8>,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn rsa_key(kid: &str) -> SigningKey {
    let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let pkcs8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair).unwrap();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        STANDARD.encode(pkcs8.as_ref())
    );
    let public = pair.public_key();
    let n = public.modulus().big_endian_without_leading_zero().to_vec();
    let e = public.exponent().big_endian_without_leading_zero().to_vec();
    let public_der = AsDer::<aws_lc_rs::encoding::PublicKeyX509Der>::as_der(public)
        .unwrap()
        .as_ref()
        .to_vec();
    SigningKey {
        kid: kid.into(),
        alg: Algorithm::RS256,
        encoding: EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
        // No `alg`: RFC 7517 lets a key leave it out; it is matched by kid and type.
        jwk: json!({"kty": "RSA", "kid": kid, "use": "sig", "n": b64(&n), "e": b64(&e)}),
        public_der,
    }
}

fn ec_key(kid: &str) -> SigningKey {
    ec_key_on(kid, Algorithm::ES256)
}

/// A P-256 (ES256) or P-384 (ES384) key.
fn ec_key_on(kid: &str, alg: Algorithm) -> SigningKey {
    let (algorithm, curve, size) = match alg {
        Algorithm::ES384 => (&signature::ECDSA_P384_SHA384_FIXED_SIGNING, "P-384", 48),
        _ => (&signature::ECDSA_P256_SHA256_FIXED_SIGNING, "P-256", 32),
    };
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(algorithm, &SystemRandom::new()).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(algorithm, pkcs8.as_ref()).unwrap();
    let point = pair.public_key().as_ref().to_vec();
    SigningKey {
        kid: kid.into(),
        alg,
        encoding: EncodingKey::from_ec_der(pkcs8.as_ref()),
        jwk: json!({"kty": "EC", "crv": curve, "kid": kid, "alg": format!("{alg:?}"),
            "x": b64(&point[1..=size]), "y": b64(&point[size + 1..])}),
        public_der: point,
    }
}

fn ed_key(kid: &str) -> SigningKey {
    let pkcs8 = signature::Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    let pair = signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let public = pair.public_key().as_ref().to_vec();
    SigningKey {
        kid: kid.into(),
        alg: Algorithm::EdDSA,
        encoding: EncodingKey::from_ed_der(pkcs8.as_ref()),
        jwk: json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64(&public)}),
        public_der: public,
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Claims of a good token for `audience`, with `overrides` merged in.
fn claims(audience: &str, overrides: Value) -> Value {
    let mut claims = json!({"iss": ISSUER, "aud": audience, "sub": "alice",
        "exp": now() + 600, "iat": now(), "scope": "read", "tenant": 7});
    for (key, value) in overrides.as_object().unwrap() {
        claims[key] = value.clone();
    }
    claims
}

fn sign(key: &SigningKey, claims: &Value) -> String {
    let mut header = Header::new(key.alg);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, claims, &key.encoding).unwrap()
}

/// The local issuer: its JWKS (replaceable, fetches counted), an introspection endpoint, and
/// an OAuth authorization server (auto-approving, issuing RS256 JWTs for the requested scopes).
#[derive(Clone)]
struct Issuer {
    jwks: Arc<Mutex<Value>>,
    jwks_fetches: Arc<AtomicUsize>,
    introspections: Arc<AtomicUsize>,
    active: Arc<Mutex<Vec<String>>>,
    signer: Arc<SigningKey>,
    /// Codes issued by `/authorize` and the scope each grants.
    codes: Arc<Mutex<Vec<(String, String)>>>,
    audience: Arc<Mutex<String>>,
    base: String,
}

async fn start_issuer(keys: &[&SigningKey], signer: SigningKey) -> Issuer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let issuer = Issuer {
        jwks: Arc::new(Mutex::new(
            json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()}),
        )),
        jwks_fetches: Arc::default(),
        introspections: Arc::default(),
        active: Arc::default(),
        signer: Arc::new(signer),
        codes: Arc::default(),
        audience: Arc::default(),
        base: base.clone(),
    };
    let app = axum::Router::new()
        .route("/jwks", axum::routing::get(jwks))
        .route(
            "/huge-jwks",
            axum::routing::get(|| async { format!("{{\"keys\": [{}]}}", " ".repeat(2 << 20)) }),
        )
        .route("/introspect", axum::routing::post(introspect))
        .route(
            "/.well-known/oauth-authorization-server",
            axum::routing::get(as_metadata),
        )
        .route("/register", axum::routing::post(register))
        .route("/authorize", axum::routing::get(authorize))
        .route("/token", axum::routing::post(token))
        .with_state(issuer.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    issuer
}

async fn jwks(State(issuer): State<Issuer>) -> impl IntoResponse {
    issuer.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    let body = issuer.jwks.lock().unwrap().to_string();
    ([(http::header::CONTENT_TYPE, "application/json")], body)
}

async fn introspect(
    State(issuer): State<Issuer>,
    headers: http::HeaderMap,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> impl IntoResponse {
    issuer.introspections.fetch_add(1, Ordering::SeqCst);
    let expected = format!("Basic {}", STANDARD.encode("mcp:secret"));
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return (http::StatusCode::UNAUTHORIZED, String::new());
    }
    let token = form.get("token").cloned().unwrap_or_default();
    let answer = if issuer.active.lock().unwrap().contains(&token) {
        json!({"active": true, "sub": "bob", "client_id": "app", "scope": "read admin",
            "exp": now() + 600, "aud": "urn:test"})
    } else {
        json!({"active": false})
    };
    (http::StatusCode::OK, answer.to_string())
}

async fn as_metadata(State(issuer): State<Issuer>) -> impl IntoResponse {
    let base = &issuer.base;
    let body = json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "registration_endpoint": format!("{base}/register"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
    });
    (
        [(http::header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
}

async fn register(axum::Json(request): axum::Json<Value>) -> impl IntoResponse {
    let mut answer = request.clone();
    answer["client_id"] = json!("registered-client");
    answer["token_endpoint_auth_method"] = json!("none");
    (http::StatusCode::CREATED, axum::Json(answer))
}

async fn authorize(
    State(issuer): State<Issuer>,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> impl IntoResponse {
    let code = format!("code-{}", issuer.codes.lock().unwrap().len());
    let scope = query.get("scope").cloned().unwrap_or_default();
    issuer.codes.lock().unwrap().push((code.clone(), scope));
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
) -> impl IntoResponse {
    let code = form.get("code").cloned().unwrap_or_default();
    let scope = issuer
        .codes
        .lock()
        .unwrap()
        .iter()
        .find(|(issued, _)| *issued == code)
        .map(|(_, scope)| scope.clone())
        .unwrap_or_default();
    let audience = issuer.audience.lock().unwrap().clone();
    let access = sign(&issuer.signer, &claims(&audience, json!({"scope": scope})));
    axum::Json(json!({"access_token": access, "token_type": "Bearer",
        "expires_in": 600, "scope": scope}))
}

/// A protected server on 127.0.0.1: its URL (`…/mcp`) and the token that stops it.
async fn protect(auth: impl FnOnce(&str) -> RemoteAuth) -> (SocketAddr, String, CancellationToken) {
    protect_server(FastMCP::new("protected"), auth).await
}

async fn protect_server(
    server: FastMCP,
    auth: impl FnOnce(&str) -> RemoteAuth,
) -> (SocketAddr, String, CancellationToken) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let server = server
        .tool(admin_echo)
        .tool(whoami)
        .auth(auth(&base).base_url(&base));
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        server
            .serve_http(listener, HttpOptions::default(), stop)
            .await
            .unwrap();
    });
    (addr, format!("{base}/mcp"), shutdown)
}

fn jwt_auth(issuer: &Issuer, audience: &str) -> RemoteAuth {
    let verifier = JwtVerifier::jwks(format!("{}/jwks", issuer.base))
        .issuer(ISSUER)
        .audience(audience)
        .jwks_refetch_interval(Duration::ZERO);
    RemoteAuth::new(verifier).authorization_server(&issuer.base)
}

/// One raw POST of a legacy `initialize` with `authorization`: (status, WWW-Authenticate).
async fn initialize_with(url: &str, authorization: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "raw", "version": "0"}}})
            .to_string(),
        );
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    let response = request.send().await.unwrap();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (response.status().as_u16(), challenge)
}

async fn client_with(url: &str, token: &str, era: Era) -> Client {
    Client::builder()
        .era(era)
        .bearer_token(token)
        .header("x-test", "hello")
        .connect(url)
        .await
        .unwrap()
}

/// What `whoami` answers `client`.
async fn whoami_of(client: &Client) -> Value {
    let result = client.call_tool("whoami", json!({})).await.unwrap();
    result.data::<Value>().unwrap()["result"].take()
}

#[tokio::test]
async fn jwts_are_verified_and_every_bad_one_gets_401_with_the_challenge() {
    let rsa = rsa_key("rsa-1");
    let ec = ec_key("ec-1");
    let p384 = ec_key_on("ec-2", Algorithm::ES384);
    let ed = ed_key("ed-1");
    let mut ps = rsa_key("rsa-ps");
    ps.alg = Algorithm::PS512;
    let issuer = start_issuer(&[&rsa, &ec, &p384, &ed, &ps], rsa_key("unused")).await;
    let (addr, url, shutdown) = protect(|base| jwt_auth(&issuer, &format!("{base}/mcp"))).await;
    let metadata =
        format!("resource_metadata=\"http://{addr}/.well-known/oauth-protected-resource/mcp\"");

    for key in [&rsa, &ec, &p384, &ed, &ps] {
        let good = sign(key, &claims(&url, json!({})));
        for era in [Era::Legacy, Era::Stateless] {
            let client = client_with(&url, &good, era).await;
            let me = whoami_of(&client).await;
            assert_eq!(me["subject"], "alice", "{key:?} {era:?}", key = key.kid);
            assert_eq!(me["tenant"], 7);
        }
    }

    let (status, challenge) = initialize_with(&url, None).await;
    assert_eq!(status, 401);
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    assert!(challenge.contains(&metadata), "{challenge}");
    assert!(
        !challenge.contains("error="),
        "no token, no error: {challenge}"
    );

    let other = rsa_key("rsa-1"); // same kid, another key: the signature cannot verify
    let none = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(claims(&url, json!({})).to_string().as_bytes())
    );
    let confused = {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("rsa-1".into());
        let secret = EncodingKey::from_secret(&rsa.public_der);
        jsonwebtoken::encode(&header, &claims(&url, json!({})), &secret).unwrap()
    };
    let refused = [
        (
            "expired",
            sign(&rsa, &claims(&url, json!({"exp": now() - 3600}))),
        ),
        (
            "not yet valid",
            sign(&rsa, &claims(&url, json!({"nbf": now() + 3600}))),
        ),
        (
            "wrong issuer",
            sign(&rsa, &claims(&url, json!({"iss": "https://evil.test"}))),
        ),
        (
            "wrong audience",
            sign(&rsa, &claims("https://other.test/mcp", json!({}))),
        ),
        ("bad signature", sign(&other, &claims(&url, json!({})))),
        ("alg none", none),
        ("HS256 with the public key as secret", confused),
        (
            "unknown kid",
            sign(&rsa_key("rsa-9"), &claims(&url, json!({}))),
        ),
        ("not a JWT", "garbage".to_owned()),
    ];
    for (case, token) in refused {
        let (status, challenge) = initialize_with(&url, Some(&format!("Bearer {token}"))).await;
        assert_eq!(status, 401, "{case}");
        assert!(
            challenge.contains("error=\"invalid_token\""),
            "{case}: {challenge}"
        );
        assert!(challenge.contains(&metadata), "{case}: {challenge}");
    }
    let (status, _) = initialize_with(&url, Some("Basic dXNlcjpwYXNz")).await;
    assert_eq!(status, 401, "a non-Bearer scheme is refused");
    shutdown.cancel();
}

#[tokio::test]
async fn a_rotated_jwks_is_refetched_once_and_an_unknown_kid_is_refused() {
    let old = rsa_key("old");
    let issuer = start_issuer(&[&old], rsa_key("unused")).await;
    let (_addr, url, shutdown) = protect(|base| jwt_auth(&issuer, &format!("{base}/mcp"))).await;
    let fetches = || issuer.jwks_fetches.load(Ordering::SeqCst);

    let (status, _) = initialize_with(
        &url,
        Some(&format!("Bearer {}", sign(&old, &claims(&url, json!({}))))),
    )
    .await;
    assert_eq!((status, fetches()), (200, 1));
    let again = sign(&old, &claims(&url, json!({"sub": "again"})));
    assert_eq!(
        initialize_with(&url, Some(&format!("Bearer {again}")))
            .await
            .0,
        200
    );
    assert_eq!(fetches(), 1, "known keys are cached");

    // The issuer rotates to a new key (the old one is gone).
    let new = ec_key("new");
    *issuer.jwks.lock().unwrap() = json!({"keys": [new.jwk.clone()]});
    let rotated = sign(&new, &claims(&url, json!({})));
    assert_eq!(
        initialize_with(&url, Some(&format!("Bearer {rotated}")))
            .await
            .0,
        200
    );
    assert_eq!(fetches(), 2, "an unknown kid refetched the set once");

    // A kid the set does not hold after the refetch is refused, even though the key with
    // kid `new`… and one with the old kid are both refused now: one refetch each, no more.
    let stranger = sign(&rsa_key("stranger"), &claims(&url, json!({})));
    assert_eq!(
        initialize_with(&url, Some(&format!("Bearer {stranger}")))
            .await
            .0,
        401
    );
    assert_eq!(fetches(), 3);
    let retired = sign(&old, &claims(&url, json!({})));
    assert_eq!(
        initialize_with(&url, Some(&format!("Bearer {retired}")))
            .await
            .0,
        401
    );
    assert_eq!(fetches(), 4);
    shutdown.cancel();
}

#[tokio::test]
async fn an_unreachable_or_oversized_jwks_is_503_not_401() {
    let rsa = rsa_key("k");
    let issuer = start_issuer(&[&rsa], rsa_key("unused")).await;
    for jwks in [
        format!("{}/huge-jwks", issuer.base),
        "http://127.0.0.1:1/jwks".to_owned(),
    ] {
        let (_addr, url, shutdown) = protect(|base| {
            RemoteAuth::new(JwtVerifier::jwks(&jwks).audience(format!("{base}/mcp")))
        })
        .await;
        let token = sign(&rsa, &claims(&url, json!({})));
        let (status, _) = initialize_with(&url, Some(&format!("Bearer {token}"))).await;
        assert_eq!(status, 503, "{jwks}");
        shutdown.cancel();
    }
}

#[tokio::test]
async fn the_protected_resource_metadata_names_the_resource_and_its_issuers() {
    let issuer = start_issuer(&[], rsa_key("unused")).await;
    let (addr, url, shutdown) = protect(|base| {
        jwt_auth(&issuer, &format!("{base}/mcp"))
            .required_scopes(["read"])
            .resource_name("Protected test server")
    })
    .await;
    let response = reqwest::get(format!(
        "http://{addr}/.well-known/oauth-protected-resource/mcp"
    ))
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.unwrap();
    assert_eq!(
        document,
        json!({
            "resource": url,
            "authorization_servers": [issuer.base],
            "scopes_supported": ["read"],
            "bearer_methods_supported": ["header"],
            "resource_name": "Protected test server",
        })
    );
    let (status, challenge) = initialize_with(&url, None).await;
    assert_eq!(status, 401);
    assert!(challenge.contains("scope=\"read\""), "{challenge}");
    shutdown.cancel();
}

/// A 2026-07-28 `tools/call` sent raw: (status, WWW-Authenticate, body).
async fn stateless_call(url: &str, token: &str, tool: &str) -> (u16, String, String) {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": tool, "arguments": {"text": "hi"}, "_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"}}}});
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", tool)
        .header("authorization", format!("Bearer {token}"))
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, challenge, response.text().await.unwrap())
}

#[tokio::test]
async fn scopes_filter_lists_and_a_missing_scope_is_403_before_the_tool_runs() {
    let rsa = rsa_key("k");
    let issuer = start_issuer(&[&rsa], rsa_key("unused")).await;
    let (_addr, url, shutdown) = protect(|base| jwt_auth(&issuer, &format!("{base}/mcp"))).await;
    let reader = sign(&rsa, &claims(&url, json!({"scope": "read"})));
    let admin = sign(&rsa, &claims(&url, json!({"scope": "read admin"})));

    for era in [Era::Legacy, Era::Stateless] {
        let client = client_with(&url, &reader, era).await;
        let names: Vec<String> = client
            .list_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name.to_string())
            .collect();
        assert_eq!(names, ["whoami"], "{era:?}");
        let refused = client.call_tool("admin_echo", json!({"text": "hi"})).await;
        assert!(refused.is_err(), "{era:?}: {refused:?}");

        let client = client_with(&url, &admin, era).await;
        assert_eq!(client.list_tools().await.unwrap().len(), 2, "{era:?}");
        let echoed = client
            .call_tool("admin_echo", json!({"text": "hi"}))
            .await
            .unwrap();
        assert_eq!(echoed.text(), "hi");
    }

    let (status, challenge, _) = stateless_call(&url, &reader, "admin_echo").await;
    assert_eq!(status, 403);
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(challenge.contains("scope=\"admin\""), "{challenge}");
    assert!(challenge.contains("resource_metadata="), "{challenge}");
    let (status, _, body) = stateless_call(&url, &admin, "admin_echo").await;
    assert_eq!(status, 200, "{body}");
    shutdown.cancel();
}

#[tokio::test]
async fn a_legacy_session_gets_403_with_the_challenge_for_a_scoped_tool() {
    let tokens = StaticTokens::new().token("reader", ["read"]);
    let (_addr, url, shutdown) = protect(|_| RemoteAuth::new(tokens)).await;
    let http = reqwest::Client::new();
    let post = |body: Value, session: Option<String>| {
        let mut request = http
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("authorization", "Bearer reader")
            .body(body.to_string());
        if let Some(session) = session {
            request = request
                .header("mcp-session-id", session)
                .header("mcp-protocol-version", "2025-11-25");
        }
        request.send()
    };
    let opened = post(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"}}}),
        None,
    )
    .await
    .unwrap();
    assert_eq!(opened.status(), 200);
    let session = opened.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let refused = post(
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "admin_echo", "arguments": {"text": "hi"}}}),
        Some(session),
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), 403);
    let challenge = refused.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.contains("error=\"insufficient_scope\", ")
            && challenge.contains("scope=\"admin\""),
        "{challenge}"
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(
        body["id"], 2,
        "the JSON-RPC error answers the request: {body}"
    );
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("Forbidden"), "{body}");
    shutdown.cancel();
}

#[tokio::test]
async fn the_token_and_the_http_request_reach_the_tool() {
    let tokens =
        StaticTokens::new().access_token(AccessToken::new("t-1").subject("carol").scopes(["read"]));
    let (_addr, url, shutdown) = protect(|_| RemoteAuth::new(tokens)).await;
    for era in [Era::Legacy, Era::Stateless] {
        let client = client_with(&url, "t-1", era).await;
        let me = whoami_of(&client).await;
        assert_eq!(me["subject"], "carol", "{me}");
        assert_eq!(me["scopes"], json!(["read"]));
        assert_eq!(me["header"], "hello", "{era:?}");
        assert_eq!(me["method"], "POST");
        assert_eq!(me["path"], "/mcp");
        assert_eq!(me["peer_is_loopback"], true);
    }
    // Over stdio-like transports (here in-memory) there is no token and no HTTP request.
    let server = FastMCP::new("plain").tool(whoami).tool(admin_echo);
    let client = Client::connect(server).await.unwrap();
    let me = whoami_of(&client).await;
    assert_eq!(me["subject"], Value::Null);
    assert_eq!(me["method"], Value::Null);
    let echoed = client
        .call_tool("admin_echo", json!({"text": "x"}))
        .await
        .unwrap();
    assert_eq!(echoed.text(), "x", "scopes are not enforced without auth");
    shutdown.cancel();
}

/// A prompt for admins.
#[prompt(scopes = ["admin"])]
fn secret_prompt() -> String {
    "secret".into()
}

/// A resource for admins.
#[resource("secret://data", scopes = ["admin"])]
fn secret_data() -> String {
    "data".into()
}

/// A template for admins.
#[resource("secret://items/{id}", scopes = ["admin"])]
fn secret_item(id: String) -> String {
    format!("item {id}")
}

#[tokio::test]
async fn prompts_resources_and_templates_are_scoped_too() {
    let tokens = StaticTokens::new()
        .token("reader", ["read"])
        .token("admin", ["read", "admin"]);
    let server = FastMCP::new("scoped")
        .prompt(secret_prompt)
        .resource(secret_data)
        .resource_template(secret_item);
    let (_addr, url, shutdown) = protect_server(server, |_| RemoteAuth::new(tokens)).await;
    for era in [Era::Legacy, Era::Stateless] {
        let reader = client_with(&url, "reader", era).await;
        assert!(reader.list_prompts().await.unwrap().is_empty(), "{era:?}");
        assert!(reader.list_resources().await.unwrap().is_empty(), "{era:?}");
        assert!(
            reader.list_resource_templates().await.unwrap().is_empty(),
            "{era:?}"
        );
        assert!(
            reader.get_prompt("secret_prompt", json!({})).await.is_err(),
            "{era:?}"
        );
        assert!(
            reader.read_resource("secret://data").await.is_err(),
            "{era:?}"
        );
        assert!(
            reader.read_resource("secret://items/7").await.is_err(),
            "{era:?}"
        );

        let admin = client_with(&url, "admin", era).await;
        assert_eq!(admin.list_prompts().await.unwrap().len(), 1, "{era:?}");
        assert_eq!(admin.list_resources().await.unwrap().len(), 1, "{era:?}");
        assert_eq!(
            admin.list_resource_templates().await.unwrap().len(),
            1,
            "{era:?}"
        );
        admin.get_prompt("secret_prompt", json!({})).await.unwrap();
        admin.read_resource("secret://data").await.unwrap();
        admin.read_resource("secret://items/7").await.unwrap();
    }
    shutdown.cancel();
}

/// Refuses `tools/call` from any subject but `carol`, reading the token in middleware.
struct OnlyCarol;

impl Middleware for OnlyCarol {
    fn on_call_tool<'a>(
        &'a self,
        request: CallToolRequestParams,
        cx: &'a MiddlewareContext<'a>,
        next: Next<'a, CallTool>,
    ) -> Hook<'a, CallTool> {
        let subject = cx.access_token().and_then(|t| t.subject.as_deref());
        if subject == Some("carol") {
            return next.pass(request);
        }
        Hook::error(ErrorData::invalid_request(
            format!("not for {subject:?}"),
            None,
        ))
    }
}

#[tokio::test]
async fn middleware_sees_the_token() {
    let tokens = StaticTokens::new()
        .access_token(AccessToken::new("c").subject("carol"))
        .access_token(AccessToken::new("d").subject("dave"));
    let server = FastMCP::new("guarded").middleware(OnlyCarol);
    let (_addr, url, shutdown) = protect_server(server, |_| RemoteAuth::new(tokens)).await;
    for era in [Era::Legacy, Era::Stateless] {
        assert_eq!(
            whoami_of(&client_with(&url, "c", era).await).await["subject"],
            "carol"
        );
        let dave = client_with(&url, "d", era).await;
        let refused = dave.call_tool("whoami", json!({})).await.unwrap_err();
        assert!(
            refused.to_string().contains("not for Some(\"dave\")"),
            "{refused}"
        );
    }
    shutdown.cancel();
}

#[tokio::test]
async fn server_wide_required_scopes_answer_403() {
    let tokens = StaticTokens::new()
        .token("reader", ["read"])
        .token("writer", ["read", "write"]);
    let (_addr, url, shutdown) =
        protect(|_| RemoteAuth::new(tokens).required_scopes(["write"])).await;
    let (status, challenge) = initialize_with(&url, Some("Bearer reader")).await;
    assert_eq!(status, 403);
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(challenge.contains("scope=\"write\""), "{challenge}");
    assert_eq!(initialize_with(&url, Some("Bearer writer")).await.0, 200);
    shutdown.cancel();
}

#[tokio::test]
async fn introspection_accepts_active_tokens_refuses_inactive_and_caches() {
    let issuer = start_issuer(&[], rsa_key("unused")).await;
    issuer.active.lock().unwrap().push("live".into());
    let endpoint = format!("{}/introspect", issuer.base);
    let (_addr, url, shutdown) = protect(|_| {
        RemoteAuth::new(IntrospectionVerifier::new(&endpoint, "mcp", "secret").audience("urn:test"))
    })
    .await;
    let calls = || issuer.introspections.load(Ordering::SeqCst);

    let client = client_with(&url, "live", Era::Stateless).await;
    let me = whoami_of(&client).await;
    assert_eq!(me["subject"], "bob");
    assert_eq!(me["scopes"], json!(["read", "admin"]));
    let asked = calls();
    assert_eq!(
        asked, 1,
        "every request of the client reused the first answer"
    );
    client.call_tool("whoami", json!({})).await.unwrap();
    assert_eq!(calls(), asked, "cached");

    let (status, challenge) = initialize_with(&url, Some("Bearer dead")).await;
    assert_eq!(status, 401);
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert_eq!(initialize_with(&url, Some("Bearer dead")).await.0, 401);
    assert_eq!(calls(), asked + 1, "the inactive answer is cached too");

    let (_addr, wrong_secret, stop) =
        protect(|_| RemoteAuth::new(IntrospectionVerifier::new(&endpoint, "mcp", "wrong"))).await;
    assert_eq!(
        initialize_with(&wrong_secret, Some("Bearer live")).await.0,
        503,
        "an introspection endpoint refusing the server is not the client's fault"
    );
    stop.cancel();
    shutdown.cancel();
}

#[tokio::test]
async fn our_client_authorizes_with_oauth_and_steps_up_for_a_scoped_tool() {
    let signer = rsa_key("as-key");
    let jwk = signer.jwk.clone();
    let issuer = start_issuer(&[], signer).await;
    *issuer.jwks.lock().unwrap() = json!({"keys": [jwk]});
    let (_addr, url, shutdown) = protect(|base| {
        jwt_auth(&issuer, &format!("{base}/mcp")).scopes_supported(["read", "admin"])
    })
    .await;
    *issuer.audience.lock().unwrap() = url.clone();
    for era in [Era::Legacy, Era::Stateless] {
        issuer.codes.lock().unwrap().clear();
        let client = Client::builder()
            .era(era)
            .oauth(OAuth::headless("http://127.0.0.1:1/callback").scopes(["read"]))
            .connect(&url)
            .await
            .unwrap();
        let me = whoami_of(&client).await;
        assert_eq!(me["scopes"], json!(["read"]), "{era:?}");
        let echoed = client
            .call_tool("admin_echo", json!({"text": "stepped up"}))
            .await
            .unwrap();
        assert_eq!(echoed.text(), "stepped up", "{era:?}");
        let codes = issuer.codes.lock().unwrap().clone();
        assert_eq!(
            codes.len(),
            2,
            "one authorization, then one step-up: {codes:?}"
        );
        assert_eq!(codes[1].1, "read admin", "{era:?}");
    }
    shutdown.cancel();
}
