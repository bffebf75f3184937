//! Running an MCP server as a child process and talking to it over its stdin/stdout.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};
use tokio::sync::{oneshot, watch};

use crate::error::Error;
use crate::transports::LineTransport;

/// How many trailing stderr lines are kept for error messages.
const STDERR_TAIL_LINES: usize = 20;

/// The longest stderr line kept (bytes); the rest of a longer line is dropped, so a child
/// that never writes a newline cannot make the client buffer without bound.
const STDERR_LINE_MAX: usize = 8 * 1024;

/// A command that starts an MCP server speaking stdio.
///
/// ```
/// use fastmcp::client::StdioServer;
/// let server = StdioServer::new("python3").arg("server.py").env("DEBUG", "1");
/// assert_eq!(server.program(), "python3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StdioServer {
    program: String,
    args: Vec<String>,
    env: BTreeMap<String, String>,
    cwd: Option<PathBuf>,
}

impl StdioServer {
    /// Runs `program` (looked up on `PATH` like a shell would).
    pub fn new(program: impl Into<String>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
            env: BTreeMap::new(),
            cwd: None,
        }
    }

    /// Parses a whole command line the way a POSIX shell splits words
    /// (`"python3 server.py --name 'my server'"`). A lone `*.py` path runs with `python3`, a
    /// lone `*.js` path with `node`.
    pub fn parse(command_line: &str) -> Result<Self, Error> {
        let words = shell_words::split(command_line).map_err(|error| {
            Error::connect_from(
                format!("cannot parse command line {command_line:?}: {error}"),
                error,
            )
        })?;
        let Some((program, args)) = words.split_first() else {
            return Err(Error::connect("the server command is empty"));
        };
        let runner = if program.ends_with(".py") {
            Some("python3")
        } else if program.ends_with(".js") || program.ends_with(".mjs") {
            Some("node")
        } else {
            None
        };
        Ok(match runner {
            Some(runner) => Self::new(runner).arg(program).args(args.iter().cloned()),
            None => Self::new(program.clone()).args(args.iter().cloned()),
        })
    }

    /// Adds an argument.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable for the server (the rest of the environment is inherited).
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.insert(key.into(), value.into());
        self
    }

    /// Sets the server's working directory.
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = Some(dir.into());
        self
    }

    /// The program to run.
    pub fn program(&self) -> &str {
        &self.program
    }

    /// The arguments.
    pub fn arguments(&self) -> &[String] {
        &self.args
    }

    /// Starts the process: its stdin/stdout carry MCP, its stderr goes to the log.
    pub(crate) fn spawn(
        &self,
    ) -> Result<(LineTransport<rmcp::RoleClient, ChildStdout>, ServerProcess), Error> {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .envs(&self.env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(cwd) = &self.cwd {
            command.current_dir(cwd);
        }
        let mut child = command.spawn().map_err(|error| {
            Error::connect_from(
                format!("cannot start server command '{}': {error}", self.display()),
                error,
            )
        })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(Error::connect("the server process has no stdio pipes"));
        };
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        tokio::spawn(capture_stderr(
            stderr,
            Arc::clone(&tail),
            self.program.clone(),
        ));
        let (status_tx, status_rx) = watch::channel(None);
        let (kill_tx, kill_rx) = oneshot::channel();
        tokio::spawn(supervise(child, status_tx, kill_rx));
        let process = ServerProcess {
            status: status_rx,
            stderr_tail: tail,
            _kill: kill_tx,
        };
        Ok((LineTransport::new(stdout, stdin), process))
    }

    /// The command line as a shell would read it back.
    fn display(&self) -> String {
        shell_words::join(std::iter::once(&self.program).chain(&self.args))
    }
}

/// The running server process. Dropping it kills the process.
#[derive(Debug)]
pub(crate) struct ServerProcess {
    status: watch::Receiver<Option<String>>,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    /// Dropped with the process handle: tells the supervisor to kill the child.
    _kill: oneshot::Sender<()>,
}

impl ServerProcess {
    /// If the process has exited (or exits within `grace`), the error describing it.
    pub(crate) async fn exit_error(&self, grace: Duration) -> Option<Error> {
        let mut status = self.status.clone();
        let exited = tokio::time::timeout(grace, status.wait_for(Option::is_some)).await;
        let status = match exited {
            Ok(Ok(status)) => status.clone()?,
            _ => return None,
        };
        let stderr = self
            .stderr_tail
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join("\n");
        Some(Error::ServerExited { status, stderr })
    }
}

async fn supervise(
    mut child: Child,
    status: watch::Sender<Option<String>>,
    kill: oneshot::Receiver<()>,
) {
    let exit = tokio::select! {
        exit = child.wait() => exit,
        _ = kill => {
            let _ = child.start_kill();
            child.wait().await
        }
    };
    let text = match exit {
        Ok(exit) => exit.to_string(),
        Err(error) => format!("unknown status: {error}"),
    };
    tracing::debug!(status = %text, "server process ended");
    let _ = status.send(Some(text));
}

async fn capture_stderr(
    stderr: tokio::process::ChildStderr,
    tail: Arc<Mutex<VecDeque<String>>>,
    program: String,
) {
    let mut reader = BufReader::new(stderr);
    let mut line = Vec::new();
    while let Ok(Some(truncated)) = read_capped_line(&mut reader, &mut line, STDERR_LINE_MAX).await
    {
        let mut text = String::from_utf8_lossy(&line)
            .trim_end_matches('\r')
            .to_owned();
        if truncated {
            text.push_str(" … (line truncated)");
        }
        tracing::info!(target: "fastmcp::client::stderr", server = %program, "{text}");
        let mut tail = tail.lock().unwrap_or_else(PoisonError::into_inner);
        if tail.len() == STDERR_TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back(text);
    }
}

/// Reads one line into `line` (without its newline), keeping at most `max` bytes and
/// dropping the rest. `Some(truncated)` per line; `None` at the end of input.
async fn read_capped_line<R: tokio::io::AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<bool>> {
    line.clear();
    let mut read_any = false;
    let mut truncated = false;
    loop {
        let buffer = reader.fill_buf().await?;
        if buffer.is_empty() {
            return Ok(read_any.then_some(truncated));
        }
        read_any = true;
        let newline = buffer.iter().position(|&b| b == b'\n');
        let content = &buffer[..newline.unwrap_or(buffer.len())];
        let room = max.saturating_sub(line.len());
        truncated |= content.len() > room;
        line.extend_from_slice(&content[..content.len().min(room)]);
        let used = newline.map_or(buffer.len(), |at| at + 1);
        reader.consume(used);
        if newline.is_some() {
            return Ok(Some(truncated));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{StdioServer, read_capped_line};

    #[tokio::test]
    async fn stderr_lines_are_capped_and_the_rest_dropped() {
        let input = format!("{}\nshort\r\nlast", "x".repeat(100));
        let mut reader = tokio::io::BufReader::with_capacity(7, input.as_bytes());
        let mut line = Vec::new();
        let mut lines = Vec::new();
        while let Some(truncated) = read_capped_line(&mut reader, &mut line, 10).await.unwrap() {
            lines.push((String::from_utf8(line.clone()).unwrap(), truncated));
        }
        assert_eq!(
            lines,
            [
                ("x".repeat(10), true),
                ("short\r".to_owned(), false),
                ("last".to_owned(), false)
            ]
        );
    }

    fn words(server: &StdioServer) -> Vec<&str> {
        std::iter::once(server.program())
            .chain(server.arguments().iter().map(String::as_str))
            .collect()
    }

    #[test]
    fn command_lines_split_like_a_shell() {
        let server = StdioServer::parse("python3 server.py --name 'my server' \"a b\"").unwrap();
        assert_eq!(
            words(&server),
            ["python3", "server.py", "--name", "my server", "a b"]
        );
    }

    #[test]
    fn scripts_get_their_interpreter() {
        assert_eq!(
            words(&StdioServer::parse("srv/server.py --verbose").unwrap()),
            ["python3", "srv/server.py", "--verbose"]
        );
        assert_eq!(
            words(&StdioServer::parse("server.js").unwrap()),
            ["node", "server.js"]
        );
        assert_eq!(
            words(&StdioServer::parse("./my-server").unwrap()),
            ["./my-server"]
        );
    }

    #[test]
    fn bad_command_lines_are_errors() {
        assert!(StdioServer::parse("   ").is_err());
        assert!(StdioServer::parse("python3 'unterminated").is_err());
    }
}
