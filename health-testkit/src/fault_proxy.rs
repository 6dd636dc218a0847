//! A TCP proxy that injects network faults, switchable at run time.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::AbortHandle;

/// A network fault between clients and the upstream server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward everything untouched.
    PassThrough,
    /// The server is gone: the listening socket is closed, so new
    /// connections are refused by the operating system (`ECONNREFUSED`), and
    /// existing connections are closed (FIN in both directions), as when the
    /// server process exits. Leaving this fault binds the same port again.
    Refuse,
    /// Existing connections are reset (RST, through `SO_LINGER` 0) in both
    /// directions; new connections are accepted, then reset at once.
    Reset,
    /// A silent network: new connections are accepted, and nothing is
    /// forwarded in either direction on any connection; nothing is answered.
    /// Data is held, not dropped: when the fault is lifted, held connections
    /// resume, as after a healed partition.
    Blackhole,
    /// Every chunk of data is held for this long before it is forwarded, in
    /// each direction (a request/response round trip gains at least twice
    /// the delay).
    Latency(Duration),
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::PassThrough => f.write_str("pass-through"),
            Fault::Refuse => f.write_str("refuse"),
            Fault::Reset => f.write_str("reset"),
            Fault::Blackhole => f.write_str("blackhole"),
            Fault::Latency(delay) => write!(f, "latency {delay:?}"),
        }
    }
}

/// The fault in force and its generation (for acknowledgements).
#[derive(Debug, Clone, Copy)]
struct Setting {
    generation: u64,
    fault: Fault,
}

/// A fault-injecting TCP proxy listening on `127.0.0.1` in front of one
/// upstream server.
///
/// Every accepted connection opens its own connection to the upstream and
/// relays both directions under the fault in force, which [`set`](Self::set)
/// switches for new and existing connections alike. Dropping the proxy
/// closes its listener and every connection.
///
/// ```
/// use health_testkit::{Fault, FaultProxy};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
/// use tokio::net::{TcpListener, TcpStream};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// // An upstream that answers "pong".
/// let upstream = TcpListener::bind("127.0.0.1:0").await?;
/// let upstream_addr = upstream.local_addr()?;
/// tokio::spawn(async move {
///     while let Ok((mut socket, _)) = upstream.accept().await {
///         let _ = socket.write_all(b"pong").await;
///     }
/// });
///
/// let proxy = FaultProxy::start(upstream_addr).await?;
/// let mut answer = [0; 4];
/// TcpStream::connect(proxy.addr()).await?.read_exact(&mut answer).await?;
/// assert_eq!(&answer, b"pong");
///
/// proxy.set(Fault::Refuse).await;
/// let refused = TcpStream::connect(proxy.addr()).await.unwrap_err();
/// assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
///
/// proxy.set(Fault::PassThrough).await;
/// TcpStream::connect(proxy.addr()).await?.read_exact(&mut answer).await?;
/// # Ok(())
/// # }
/// ```
pub struct FaultProxy {
    addr: SocketAddr,
    upstream: SocketAddr,
    setting: watch::Sender<Setting>,
    applied: watch::Receiver<u64>,
    accepted: Arc<AtomicU64>,
    acceptor: AbortHandle,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` on `127.0.0.1` and an ephemeral port, in
    /// [`Fault::PassThrough`]. Needs a tokio runtime.
    pub async fn start(upstream: SocketAddr) -> io::Result<FaultProxy> {
        let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let (setting, faults) = watch::channel(Setting {
            generation: 0,
            fault: Fault::PassThrough,
        });
        let (applied_tx, applied) = watch::channel(0);
        let accepted = Arc::new(AtomicU64::new(0));
        let acceptor = tokio::spawn(accept_loop(
            listener,
            addr,
            upstream,
            faults,
            applied_tx,
            Arc::clone(&accepted),
        ))
        .abort_handle();
        Ok(FaultProxy {
            addr,
            upstream,
            setting,
            applied,
            accepted,
            acceptor,
        })
    }

    /// The address clients connect to (instead of the upstream's).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The upstream server.
    pub fn upstream(&self) -> SocketAddr {
        self.upstream
    }

    /// The fault in force.
    pub fn fault(&self) -> Fault {
        self.setting.borrow().fault
    }

    /// How many client connections the proxy has accepted so far (a pool
    /// that reconnects shows up here).
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Switches to `fault`. Returns once it is in force: data relayed after
    /// this call is subject to it, and the listener is closed (for
    /// [`Fault::Refuse`]) or listening again (for the others).
    pub async fn set(&self, fault: Fault) {
        let mut generation = 0;
        self.setting.send_modify(|setting| {
            setting.generation += 1;
            setting.fault = fault;
            generation = setting.generation;
        });
        let mut applied = self.applied.clone();
        // The acceptor lives as long as `self` (it is only aborted on drop).
        let _ = applied.wait_for(|applied| *applied >= generation).await;
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        // Connection tasks end when the setting channel closes (with `self`).
        self.acceptor.abort();
    }
}

impl fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultProxy")
            .field("addr", &self.addr)
            .field("upstream", &self.upstream)
            .field("fault", &self.fault())
            .field("accepted", &self.accepted())
            .finish()
    }
}

/// Accepts connections while the fault allows it; closes the listener under
/// [`Fault::Refuse`] and binds the same address again afterwards.
async fn accept_loop(
    listener: TcpListener,
    addr: SocketAddr,
    upstream: SocketAddr,
    mut faults: watch::Receiver<Setting>,
    applied: watch::Sender<u64>,
    accepted: Arc<AtomicU64>,
) {
    let mut listener = Some(listener);
    loop {
        let setting = *faults.borrow_and_update();
        if setting.fault == Fault::Refuse {
            listener = None;
        } else if listener.is_none() {
            listener = Some(rebind(addr).await);
        }
        applied.send_replace(setting.generation);
        let Some(open) = &listener else {
            if faults.changed().await.is_err() {
                return;
            }
            continue;
        };
        tokio::select! {
            changed = faults.changed() => if changed.is_err() { return },
            incoming = open.accept() => if let Ok((client, _)) = incoming {
                accepted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(relay(client, upstream, faults.clone()));
            },
        }
    }
}

/// Binds `addr` again after [`Fault::Refuse`], retrying while the port is
/// briefly unavailable.
async fn rebind(addr: SocketAddr) -> TcpListener {
    let mut delay = Duration::from_millis(5);
    loop {
        match TcpListener::bind(addr).await {
            Ok(listener) => return listener,
            Err(e) => {
                tracing::warn!(%addr, error = %e, "fault proxy: cannot listen again yet");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_millis(200));
            }
        }
    }
}

/// How one direction of a relayed connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The sender closed its side; the close was passed on.
    Eof,
    /// Close both connections gracefully (FIN).
    Close,
    /// Reset both connections (RST).
    Reset,
}

/// What the fault in force means for data about to be relayed.
enum Gate {
    Forward(Duration),
    Hold,
    Stop(End),
}

fn gate(fault: Fault) -> Gate {
    match fault {
        Fault::PassThrough => Gate::Forward(Duration::ZERO),
        Fault::Latency(delay) => Gate::Forward(delay),
        Fault::Blackhole => Gate::Hold,
        Fault::Reset => Gate::Stop(End::Reset),
        Fault::Refuse => Gate::Stop(End::Close),
    }
}

/// Relays one client connection to a new upstream connection.
async fn relay(client: TcpStream, upstream: SocketAddr, faults: watch::Receiver<Setting>) {
    let fault = faults.borrow().fault;
    if let Gate::Stop(end) = gate(fault) {
        return finish(end, [client]);
    }
    let Ok(server) = TcpStream::connect(upstream).await else {
        // The upstream refuses: pass that on as well as TCP allows.
        return finish(End::Reset, [client]);
    };
    let (mut client, mut server) = (client, server);
    let _ = (client.set_nodelay(true), server.set_nodelay(true));
    let end = {
        let (mut client_read, mut client_write) = client.split();
        let (mut server_read, mut server_write) = server.split();
        let up = pump(&mut client_read, &mut server_write, faults.clone());
        let down = pump(&mut server_read, &mut client_write, faults);
        tokio::pin!(up, down);
        let (mut up_done, mut down_done) = (false, false);
        loop {
            let (end, other_done) = tokio::select! {
                end = &mut up, if !up_done => { up_done = true; (end, down_done) }
                end = &mut down, if !down_done => { down_done = true; (end, up_done) }
            };
            if end != End::Eof || other_done {
                break end;
            }
        }
    };
    finish(end, [client, server]);
}

/// Closes `streams` as `end` says: gracefully, or with RST.
fn finish<const N: usize>(end: End, streams: [TcpStream; N]) {
    if end == End::Reset {
        for stream in &streams {
            // A zero linger makes close send RST and never blocks (the
            // deprecation is about non-zero lingers blocking on drop).
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(Duration::ZERO));
        }
    }
    drop(streams);
}

/// Copies `reader` to `writer` under the fault in force, re-reading the fault
/// before every read and before every write.
async fn pump<R, W>(reader: &mut R, writer: &mut W, mut faults: watch::Receiver<Setting>) -> End
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut buf = vec![0; 16 * 1024];
    loop {
        // Read, unless the fault holds or stops the connection.
        let n = loop {
            let fault = faults.borrow_and_update().fault;
            match gate(fault) {
                Gate::Stop(end) => return end,
                Gate::Hold => {
                    if faults.changed().await.is_err() {
                        return End::Close;
                    }
                    continue;
                }
                Gate::Forward(_) => {}
            }
            tokio::select! {
                read = reader.read(&mut buf) => match read {
                    Ok(0) => {
                        let _ = writer.shutdown().await;
                        return End::Eof;
                    }
                    Ok(n) => break n,
                    Err(_) => return End::Reset,
                },
                changed = faults.changed() => if changed.is_err() { return End::Close },
            }
        };
        // Deliver under the fault in force now, which may have changed.
        loop {
            let fault = faults.borrow_and_update().fault;
            match gate(fault) {
                Gate::Stop(end) => return end,
                Gate::Hold => {
                    if faults.changed().await.is_err() {
                        return End::Close;
                    }
                }
                Gate::Forward(delay) if delay.is_zero() => break,
                Gate::Forward(delay) => tokio::select! {
                    () = tokio::time::sleep(delay) => break,
                    changed = faults.changed() => if changed.is_err() { return End::Close },
                },
            }
        }
        if writer.write_all(&buf[..n]).await.is_err() {
            return End::Reset;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::ErrorKind;
    use std::net::SocketAddr;
    use std::time::{Duration, Instant};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::{Fault, FaultProxy};

    /// Far above what a relay on loopback takes, far below a test timeout.
    const PATIENCE: Duration = Duration::from_secs(5);

    /// An echo server on loopback.
    pub(crate) async fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (mut read, mut write) = socket.split();
                    let _ = tokio::io::copy(&mut read, &mut write).await;
                });
            }
        });
        addr
    }

    async fn proxied_echo() -> FaultProxy {
        FaultProxy::start(echo_server().await).await.unwrap()
    }

    /// A connection through the proxy, proven to relay.
    async fn relayed(proxy: &FaultProxy) -> TcpStream {
        let mut stream = TcpStream::connect(proxy.addr()).await.unwrap();
        assert_eq!(round_trip(&mut stream, b"up").await.unwrap(), b"up");
        stream
    }

    /// One read, within `PATIENCE`.
    async fn read_once(stream: &mut TcpStream) -> std::io::Result<usize> {
        let mut buf = [0; 1];
        tokio::time::timeout(PATIENCE, stream.read(&mut buf))
            .await
            .expect("no answer within the patience")
    }

    /// Lifts the fault; a new connection relays again.
    async fn lift(proxy: &FaultProxy) {
        proxy.set(Fault::PassThrough).await;
        relayed(proxy).await;
    }

    /// Sends `message` and reads the echo, within `PATIENCE`.
    async fn round_trip(stream: &mut TcpStream, message: &[u8]) -> std::io::Result<Vec<u8>> {
        stream.write_all(message).await?;
        let mut echo = vec![0; message.len()];
        tokio::time::timeout(PATIENCE, stream.read_exact(&mut echo))
            .await
            .expect("no answer within the patience")?;
        Ok(echo)
    }

    #[tokio::test]
    async fn pass_through_relays_both_directions_and_counts_connections() {
        let proxy = proxied_echo().await;
        assert_eq!(proxy.fault(), Fault::PassThrough);
        let mut a = TcpStream::connect(proxy.addr()).await.unwrap();
        let mut b = TcpStream::connect(proxy.addr()).await.unwrap();
        assert_eq!(round_trip(&mut a, b"hello").await.unwrap(), b"hello");
        assert_eq!(round_trip(&mut b, &[7; 100_000]).await.unwrap(), vec![7; 100_000]);
        assert_eq!(proxy.accepted(), 2);
    }

    #[tokio::test]
    async fn refuse_closes_the_listener_and_existing_connections_then_listens_again() {
        let proxy = proxied_echo().await;
        let mut existing = relayed(&proxy).await;

        proxy.set(Fault::Refuse).await;
        let refused = TcpStream::connect(proxy.addr()).await.unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::ConnectionRefused);
        assert_eq!(
            read_once(&mut existing).await.unwrap(),
            0,
            "an existing connection is closed (EOF)"
        );

        lift(&proxy).await;
    }

    #[tokio::test]
    async fn reset_resets_existing_and_new_connections() {
        let proxy = proxied_echo().await;
        let mut existing = relayed(&proxy).await;

        proxy.set(Fault::Reset).await;
        let mut new = TcpStream::connect(proxy.addr()).await.expect("accepted, then reset");
        for stream in [&mut existing, &mut new] {
            let reset = read_once(stream).await.unwrap_err();
            assert_eq!(reset.kind(), ErrorKind::ConnectionReset);
        }

        lift(&proxy).await;
    }

    #[tokio::test]
    async fn blackhole_holds_data_until_lifted() {
        let proxy = proxied_echo().await;
        let mut existing = relayed(&proxy).await;

        proxy.set(Fault::Blackhole).await;
        let mut new = TcpStream::connect(proxy.addr()).await.expect("a blackhole accepts");
        for stream in [&mut existing, &mut new] {
            stream.write_all(b"held").await.unwrap();
            let mut buf = [0; 4];
            let silent = tokio::time::timeout(Duration::from_millis(300), stream.read_exact(&mut buf)).await;
            assert!(silent.is_err(), "nothing is answered in a blackhole");
        }

        proxy.set(Fault::PassThrough).await;
        for stream in [&mut existing, &mut new] {
            let mut buf = [0; 4];
            tokio::time::timeout(PATIENCE, stream.read_exact(&mut buf))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(&buf, b"held", "held data is delivered once the blackhole is lifted");
        }
    }

    #[tokio::test]
    async fn latency_delays_each_direction() {
        let proxy = proxied_echo().await;
        let mut stream = relayed(&proxy).await;

        proxy.set(Fault::Latency(Duration::from_millis(100))).await;
        let started = Instant::now();
        assert_eq!(round_trip(&mut stream, b"slow").await.unwrap(), b"slow");
        assert!(
            started.elapsed() >= Duration::from_millis(200),
            "{:?}",
            started.elapsed()
        );

        proxy.set(Fault::PassThrough).await;
        assert_eq!(round_trip(&mut stream, b"fast").await.unwrap(), b"fast");
    }

    #[tokio::test]
    async fn dropping_the_proxy_closes_its_connections() {
        let proxy = proxied_echo().await;
        let mut existing = relayed(&proxy).await;
        drop(proxy);
        assert_eq!(read_once(&mut existing).await.unwrap(), 0);
    }
}
