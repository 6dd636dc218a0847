// The Node.js peer of the load benchmark: a readiness endpoint served by
// @godaddy/terminus over the same three 5 ms pings as the Rust variants
// (bench/src/pings.rs), each counting its calls, with the same control
// listener (GET /calls) and the same `ready ...` line on stdout.
//
//   node bench/node/terminus-server.js peer-terminus|peer-terminus-blackhole
//
// terminus runs the check function on every request; like its users, this
// one awaits the three pings with Promise.all (concurrently). terminus has
// no deadline on a check and no notion of a non-critical one. The
// blackhole variant's check never settles, as a hung dependency's call.
'use strict'

const http = require('node:http')
const { createTerminus } = require('@godaddy/terminus')

const variant = process.argv[2]
const VARIANTS = ['peer-terminus', 'peer-terminus-blackhole']
if (!VARIANTS.includes(variant)) {
  console.error(`usage: node terminus-server.js ${VARIANTS.join('|')}`)
  process.exit(2)
}

let calls = 0
// One round trip to a dependency: 5 ms.
const ping = () => {
  calls += 1
  return new Promise((resolve) => setTimeout(resolve, 5))
}
// A dependency that accepts the call and never answers.
const blackholed = () => {
  calls += 1
  return new Promise(() => {})
}

const readiness = variant === 'peer-terminus'
  ? async () => {
    await Promise.all([ping(), ping(), ping()])
    return { ping_db: 'pass', ping_broker: 'pass', ping_cache: 'pass' }
  }
  : blackholed

const server = http.createServer((req, res) => {
  res.statusCode = 404
  res.end()
})
createTerminus(server, {
  healthChecks: { '/health/ready': readiness },
  // The harness stops servers with SIGTERM; no drain here.
  signals: [],
  logger: () => {}
})

const control = http.createServer((req, res) => {
  if (req.url === '/calls') {
    res.setHeader('Content-Type', 'text/plain')
    res.end(String(calls))
  } else {
    res.statusCode = 404
    res.end('not found')
  }
})

server.listen(0, '127.0.0.1', () => {
  control.listen(0, '127.0.0.1', () => {
    const addr = `127.0.0.1:${server.address().port}`
    const controlAddr = `127.0.0.1:${control.address().port}`
    console.log(`ready variant=${variant} addr=${addr} control=${controlAddr} deadline_us=- interval_us=-`)
  })
})
