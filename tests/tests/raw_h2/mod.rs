//! HTTP/2 written by hand, as a hostile client writes it: frames the server
//! cannot tell from a real client's, without the manners of one (no
//! respect for its settings, no answer to its PINGs).
//!
//! Shared by every crate that floods a gRPC listener: the `tests` suites,
//! `examples/tests/saturation.rs` and `tests-http`'s `hostile-client`
//! include this file (`#[path]`), so it needs only tokio.

// Each user of it uses a part of it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
pub const DATA: u8 = 0;
pub const HEADERS: u8 = 1;
pub const RST_STREAM: u8 = 3;
pub const SETTINGS: u8 = 4;
pub const PING: u8 = 6;
pub const GOAWAY: u8 = 7;
pub const CONTINUATION: u8 = 9;
pub const END_STREAM: u8 = 1;
/// SETTINGS and PING: an acknowledgement.
pub const ACK: u8 = 1;
pub const END_HEADERS: u8 = 4;
/// An empty `HealthCheckRequest` (service `""`) as a gRPC message.
pub const EMPTY_REQUEST: [u8; 5] = [0, 0, 0, 0, 0];

/// One frame.
pub fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).unwrap().to_be_bytes();
    let mut frame = vec![len[1], len[2], len[3], kind, flags];
    frame.extend_from_slice(&stream.to_be_bytes());
    frame.extend_from_slice(payload);
    frame
}

/// The header block of a gRPC call to `method` of the health service, in
/// HPACK literals only (no table, no Huffman).
pub fn call_headers(method: &str) -> Vec<u8> {
    call_headers_with(method, &[])
}

/// [`call_headers`] with `metadata` (lowercase names) after the standard
/// headers, of any length.
pub fn call_headers_with(method: &str, metadata: &[(&str, &str)]) -> Vec<u8> {
    let mut block = vec![0x83, 0x86]; // :method POST, :scheme http
    let literal = |block: &mut Vec<u8>, name: &[u8], value: &[u8]| {
        block.extend_from_slice(name);
        string_length(block, value.len());
        block.extend_from_slice(value);
    };
    literal(
        &mut block,
        &[0x04],
        format!("/grpc.health.v1.Health/{method}").as_bytes(),
    ); // :path
    literal(&mut block, &[0x01], b"localhost"); // :authority
    literal(&mut block, &[0x0f, 0x10], b"application/grpc"); // content-type
    literal(&mut block, &[0x00, 0x02, b't', b'e'], b"trailers");
    for (name, value) in metadata {
        // Literal without indexing, new name (RFC 7541, 6.2.2).
        block.push(0x00);
        string_length(&mut block, name.len());
        block.extend_from_slice(name.as_bytes());
        string_length(&mut block, value.len());
        block.extend_from_slice(value.as_bytes());
    }
    block
}

/// An HPACK string length: a 7-bit prefix integer, no Huffman (RFC 7541, 5.1).
fn string_length(block: &mut Vec<u8>, len: usize) {
    if len < 127 {
        block.push(len as u8);
        return;
    }
    block.push(127);
    let mut rest = len - 127;
    while rest >= 128 {
        block.push((rest % 128) as u8 | 0x80);
        rest /= 128;
    }
    block.push(rest as u8);
}

/// A header block as HEADERS and CONTINUATION frames of at most 16 KiB
/// each (the default `SETTINGS_MAX_FRAME_SIZE`), `END_STREAM` on none.
pub fn header_frames(stream: u32, block: &[u8]) -> Vec<u8> {
    let chunks: Vec<&[u8]> = block.chunks(16_384).collect();
    let mut frames = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let kind = if i == 0 { HEADERS } else { CONTINUATION };
        let flags = if i + 1 == chunks.len() { END_HEADERS } else { 0 };
        frames.extend(frame(kind, flags, stream, chunk));
    }
    frames
}

/// A connection past the handshake: preface and empty SETTINGS sent, the
/// server's SETTINGS read and acknowledged.
pub async fn connect(addr: SocketAddr) -> TcpStream {
    let mut connection = TcpStream::connect(addr).await.unwrap();
    let mut hello = PREFACE.to_vec();
    hello.extend(frame(SETTINGS, 0, 0, &[]));
    connection.write_all(&hello).await.unwrap();
    let (kind, _flags, _stream, _payload) = read_frame(&mut connection).await.unwrap();
    assert_eq!(kind, SETTINGS, "the server speaks first with its SETTINGS");
    connection.write_all(&frame(SETTINGS, 1, 0, &[])).await.unwrap();
    connection
}

/// The next frame: kind, flags, stream and payload; `None` once the
/// connection ended.
pub async fn read_frame(read: &mut (impl AsyncReadExt + Unpin)) -> Option<(u8, u8, u32, Vec<u8>)> {
    let mut head = [0u8; 9];
    read.read_exact(&mut head).await.ok()?;
    let len = (usize::from(head[0]) << 16) | (usize::from(head[1]) << 8) | usize::from(head[2]);
    let stream = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
    let mut payload = vec![0u8; len];
    read.read_exact(&mut payload).await.ok()?;
    Some((head[3], head[4], stream, payload))
}

/// How the server answered the streams of one connection.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Answers {
    /// Response headers that leave the stream open: a `Watch` held.
    pub held: usize,
    /// `RST_STREAM`, or a trailers-only answer (`RESOURCE_EXHAUSTED`).
    pub refused: usize,
    /// Streams past the last one a `GOAWAY` accepted.
    pub cut_off: usize,
}

impl Answers {
    /// Streams with an answer.
    pub fn answered(&self) -> usize {
        self.held + self.refused + self.cut_off
    }
}

impl std::ops::Add for Answers {
    type Output = Answers;

    fn add(self, other: Answers) -> Answers {
        Answers {
            held: self.held + other.held,
            refused: self.refused + other.refused,
            cut_off: self.cut_off + other.cut_off,
        }
    }
}

/// Opens `streams` `Watch` streams at once on one connection, ignoring the
/// server's `SETTINGS_MAX_CONCURRENT_STREAMS`, and reads the answers until
/// every stream has one, the connection ends, or `deadline`. Returns with
/// the connection still open (its held streams with it).
pub async fn flood(addr: SocketAddr, streams: u32, deadline: Instant) -> (Answers, TcpStream) {
    let connection = connect(addr).await;
    let mut requests = Vec::new();
    let headers = call_headers("Watch");
    for i in 0..streams {
        let id = 2 * i + 1;
        requests.extend(frame(HEADERS, END_HEADERS, id, &headers));
        requests.extend(frame(DATA, END_STREAM, id, &EMPTY_REQUEST));
    }
    let (mut read, mut write) = connection.into_split();
    let writing = tokio::spawn(async move {
        // The server may close first (GOAWAY): what is left unsent is cut off.
        let _ = write.write_all(&requests).await;
        write
    });

    let mut answers = Answers::default();
    let mut seen = vec![false; streams as usize];
    let mut answer = |id: u32, held: bool, answers: &mut Answers| {
        let index = ((id - 1) / 2) as usize;
        if id % 2 == 1 && index < seen.len() && !seen[index] {
            seen[index] = true;
            match held {
                true => answers.held += 1,
                false => answers.refused += 1,
            }
        }
    };
    while answers.answered() < streams as usize {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(Some((kind, flags, id, payload))) = tokio::time::timeout(left, read_frame(&mut read)).await else {
            break; // the deadline, or the connection ended
        };
        match kind {
            HEADERS => answer(id, flags & END_STREAM == 0, &mut answers),
            RST_STREAM => answer(id, false, &mut answers),
            GOAWAY => {
                let last = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]) & 0x7fff_ffff;
                answers.cut_off = (streams as usize).saturating_sub(last.div_ceil(2) as usize);
            }
            _ => {}
        }
    }
    let write = writing.await.unwrap();
    (answers, read.reunite(write).unwrap())
}

/// Sends a PING and reads up to its acknowledgement: the server has read
/// (and acted on) every frame written before it, as HTTP/2 reads a
/// connection's frames in order. Panics if the connection ends first.
pub async fn round_trip(connection: &mut TcpStream) {
    let payload = *b"in-order";
    connection.write_all(&frame(PING, 0, 0, &payload)).await.unwrap();
    loop {
        let (kind, flags, _stream, answer) = read_frame(connection)
            .await
            .expect("the connection ended before the PING's acknowledgement");
        if kind == PING && flags & ACK != 0 && answer == payload {
            return;
        }
    }
}
