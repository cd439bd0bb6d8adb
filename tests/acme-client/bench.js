'use strict';
// `local/bench acme`: N concurrent sessions of the real npm acme-client 5.4.0 against one ACME server, each with its own
// account and name, ordering again and again (newOrder, http-01 answered from one shared HTTP server, finalize,
// download) until the time is up. Run against our service and against pebble in the same `local/bench` run.
//
// environment: ACME_DIRECTORY, ACME_NAMES (one DNS name per session, comma-separated), ACME_HTTP01_PORT,
// ACME_SECONDS (measured), ACME_WARM_SECONDS (the same load first, unmeasured), ACME_EAB (optional, one "kid:hmac"
// per session, comma-separated). Trust comes from NODE_EXTRA_CA_CERTS.
// Prints one JSON object on stdout: orders completed in the measured window, their rate, latency percentiles and the
// orders that failed (with the first error), the orders completed in the warm-up, and each stage's mean time.
const http01 = require('./http01');
const acme = require('acme-client');

const env = (name, fallback) => {
    const value = process.env[name] ?? fallback;
    if (value === undefined || value === '') throw new Error(`${name} is not set`);
    return value;
};

const names = env('ACME_NAMES').split(',');
const eab = (process.env.ACME_EAB || '').split(',').filter(Boolean);
if (eab.length && eab.length !== names.length) throw new Error('ACME_EAB needs one credential per session');
const seconds = Number(env('ACME_SECONDS', '10'));
const warmSeconds = Number(env('ACME_WARM_SECONDS', '3'));

// One challenge server for every session: token -> key authorization.
const tokens = new Map();

async function session(index, phases) {
    const name = names[index];
    const [kid, hmacKey] = eab.length ? eab[index].split(':') : [];
    const client = new acme.Client({
        directoryUrl: env('ACME_DIRECTORY'),
        accountKey: await acme.crypto.createPrivateEcdsaKey(),
        // The library's default polling starts at 5 s; both servers are polled alike, from 25 ms doubling to 400 ms.
        backoffMin: 25,
        backoffMax: 400,
        backoffAttempts: 60,
        ...(kid ? { externalAccountBinding: { kid, hmacKey } } : {}),
    });
    await client.createAccount({ termsOfServiceAgreed: true, contact: [`mailto:bench-${index}@bench.test`] });
    const [, csr] = await acme.crypto.createCsr({ commonName: name, altNames: [name] }, await acme.crypto.createPrivateEcdsaKey());

    for (const phase of phases) {
        while (Date.now() < phase.end) {
            const started = process.hrtime.bigint();
            const marks = [];
            const mark = () => marks.push(Number(process.hrtime.bigint() - started) / 1e6);
            try {
                let order = await client.createOrder({ identifiers: [{ type: 'dns', value: name }] });
                const authzs = await client.getAuthorizations(order);
                mark();
                for (const authz of authzs) {
                    if (authz.status === 'valid') continue;
                    const challenge = authz.challenges.find((c) => c.type === 'http-01');
                    tokens.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
                    try {
                        await client.completeChallenge(challenge);
                        await client.waitForValidStatus(challenge);
                    } finally {
                        tokens.delete(challenge.token);
                    }
                }
                mark();
                order = await client.finalizeOrder(order, csr);
                const pem = await client.getCertificate(order);
                mark();
                if (!pem.includes('BEGIN CERTIFICATE')) throw new Error('no certificate in the download');
                if (!phase.measured) {
                    phase.completed += 1;
                } else if (Date.now() <= phase.end) {
                    phase.latencies.push(marks[2]);
                    phase.stages.push([marks[0], marks[1] - marks[0], marks[2] - marks[1]]);
                }
            } catch (e) {
                if (phase.measured) {
                    phase.failures += 1;
                    phase.firstError ??= String(e && e.message ? e.message : e);
                }
            }
        }
    }
}

async function main() {
    const server = await http01.listen(Number(env('ACME_HTTP01_PORT')), tokens);
    try {
        // Accounts (inside the warm-up, not measured), then the measured window, which starts and ends at once for all.
        const now = Date.now();
        const warm = { measured: false, end: now + warmSeconds * 1000, completed: 0 };
        const measured = { measured: true, end: warm.end + seconds * 1000, latencies: [], stages: [], failures: 0, firstError: undefined };
        const phases = [warm, measured];
        await Promise.all(names.map((_, i) => session(i, phases)));
        const sorted = measured.latencies.sort((a, b) => a - b);
        // Mean milliseconds of each stage: order and authorizations; challenge answered until valid; finalize and download.
        const mean = (i) => (measured.stages.length ? measured.stages.reduce((a, s) => a + s[i], 0) / measured.stages.length : 0);
        const pct = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0);
        process.stdout.write(JSON.stringify({
            sessions: names.length,
            seconds,
            orders: sorted.length,
            rate: sorted.length / seconds,
            p50: pct(50),
            p99: pct(99),
            stages: { order: mean(0), challenge: mean(1), finalize: mean(2) },
            failures: measured.failures,
            warmOrders: warm.completed,
            firstError: measured.firstError ?? null,
        }) + '\n');
    } finally {
        server.close();
    }
}

main().catch((e) => {
    process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
});
