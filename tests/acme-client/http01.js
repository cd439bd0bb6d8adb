'use strict';
// The http-01 answers of the acme-client scripts (ari.js, bench.js): one HTTP server on 127.0.0.1:port serving
// /.well-known/acme-challenge/{token} from a map of token -> key authorization, 404 for anything else.
const http = require('http');

async function listen(port, tokens) {
    const server = http.createServer((req, res) => {
        const token = req.url.startsWith('/.well-known/acme-challenge/') ? req.url.split('/').pop() : null;
        if (token && tokens.has(token)) {
            res.writeHead(200, { 'Content-Type': 'text/plain' }).end(tokens.get(token));
        } else {
            res.writeHead(404).end();
        }
    });
    await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    return server;
}

module.exports = { listen };
