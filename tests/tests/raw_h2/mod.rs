//! HTTP/2 written by hand, as a hostile client writes it: frames the server
//! cannot tell from a real client's, without the manners of one (no
//! respect for its settings, no answer to its PINGs).

// Each test binary uses a part of it.
#![allow(dead_code)]

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
pub const DATA: u8 = 0;
pub const HEADERS: u8 = 1;
pub const RST_STREAM: u8 = 3;
pub const SETTINGS: u8 = 4;
pub const PING: u8 = 6;
pub const GOAWAY: u8 = 7;
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
    let mut block = vec![0x83, 0x86]; // :method POST, :scheme http
    let literal = |block: &mut Vec<u8>, name: &[u8], value: &[u8]| {
        block.extend_from_slice(name);
        block.push(u8::try_from(value.len()).unwrap());
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
    block
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
