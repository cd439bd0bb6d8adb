'use strict';
// Drives the real npm acme-client 5.4.0 against our ACME server for AcmeClientTests (renewal information, RFC 9773).
// acme-client 5.4.0 has no renewal-information helper: this script reads the renewalInfo URL from the directory through
// the client (client.http.getResourceUrl) and GETs {renewalInfo}/{certID} with the client's own HTTP stack; it passes
// `replaces` in the newOrder payload, which client.createOrder sends as given. The certID (RFC 9773 §4.1) is built here
// from the certificate with @peculiar/x509 (acme-client's own dependency); the test checks it against openssl's reading.
//
// usage: node ari.js obtain OUT | replace CERT OUT | replace-again CERT | info CERT | revoke CERT
// environment: ACME_DIRECTORY, ACME_STATE (a directory for the account key and certificates), ACME_NAME,
// ACME_HTTP01_PORT, ACME_EAB_KID, ACME_EAB_HMAC. Prints one JSON object on stdout. Trust comes from NODE_EXTRA_CA_CERTS.
const fs = require('fs');
const http01 = require('./http01');
const path = require('path');
const acme = require('acme-client');
const x509 = require('@peculiar/x509');

const env = (name) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
};
const state = env('ACME_STATE');
const name = env('ACME_NAME');
const b64u = (bytes) => Buffer.from(bytes).toString('base64url');

async function client() {
    const keyFile = path.join(state, 'account.pem');
    if (!fs.existsSync(keyFile)) fs.writeFileSync(keyFile, await acme.crypto.createPrivateEcdsaKey(), { mode: 0o600 });
    const c = new acme.Client({
        directoryUrl: env('ACME_DIRECTORY'),
        accountKey: fs.readFileSync(keyFile),
        externalAccountBinding: { kid: env('ACME_EAB_KID'), hmacKey: env('ACME_EAB_HMAC') },
    });
    await c.createAccount({ termsOfServiceAgreed: true, contact: ['mailto:ops@web.internal'] });
    return c;
}

function certId(pem) {
    const cert = new x509.X509Certificate(pem);
    const aki = cert.getExtension(x509.AuthorityKeyIdentifierExtension);
    if (!aki || !aki.keyId) throw new Error('the certificate has no authority key identifier');
    // The serial's DER INTEGER content octets: a leading zero when the high bit is set.
    let serial = Buffer.from(cert.serialNumber.length % 2 ? '0' + cert.serialNumber : cert.serialNumber, 'hex');
    if (serial[0] & 0x80) serial = Buffer.concat([Buffer.from([0]), serial]);
    return `${b64u(Buffer.from(aki.keyId, 'hex'))}.${b64u(serial)}`;
}

async function obtain(c, out, replaces) {
    const order = await c.createOrder({ identifiers: [{ type: 'dns', value: name }], ...(replaces ? { replaces } : {}) });
    const tokens = new Map();
    const server = await http01.listen(Number(env('ACME_HTTP01_PORT')), tokens);
    try {
        for (const authz of await c.getAuthorizations(order)) {
            if (authz.status === 'valid') continue;
            const challenge = authz.challenges.find((ch) => ch.type === 'http-01');
            tokens.set(challenge.token, await c.getChallengeKeyAuthorization(challenge));
            await c.completeChallenge(challenge);
            await c.waitForValidStatus(challenge);
        }
        const [, csr] = await acme.crypto.createCsr({ commonName: name, altNames: [name] }, await acme.crypto.createPrivateEcdsaKey());
        const finalized = await c.finalizeOrder(order, csr);
        const chain = await c.getCertificate(finalized);
        fs.writeFileSync(path.join(state, out), chain);
        return { certId: certId(chain), order: order.url, replaces: order.replaces ?? null };
    } finally {
        server.close();
    }
}

async function main() {
    const [step, arg, out] = process.argv.slice(2);
    const read = () => fs.readFileSync(path.join(state, arg), 'utf8');
    const c = await client();
    switch (step) {
        case 'obtain':
            return obtain(c, arg, null);
        case 'replace':
            return obtain(c, out, certId(read()));
        case 'replace-again': {
            // The client's createOrder throws with the problem's detail only; its API layer returns the problem itself.
            const resp = await c.api.apiResourceRequest('newOrder', { identifiers: [{ type: 'dns', value: name }], replaces: certId(read()) }, []);
            return { status: resp.status, type: resp.data && resp.data.type, detail: resp.data && resp.data.detail };
        }
        case 'info': {
            const url = `${await c.http.getResourceUrl('renewalInfo')}/${certId(read())}`;
            const resp = await c.http.request(url, 'get');
            return { status: resp.status, retryAfter: resp.headers['retry-after'] ?? null, certId: certId(read()), ...resp.data };
        }
        case 'revoke':
            await c.revokeCertificate(read(), { reason: 4 });
            return { revoked: true };
        default:
            throw new Error(`unknown step ${step}`);
    }
}

main().then((result) => process.stdout.write(JSON.stringify(result) + '\n'), (e) => {
    process.stderr.write(`${e.stack || e}\n`);
    process.exit(1);
});
