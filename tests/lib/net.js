// Loopback helpers shared by the test harnesses.

'use strict';

const { once } = require('node:events');
const net = require('node:net');

/** A TCP port on 127.0.0.1 that was free a moment ago. */
async function freePort() {
	const srv = net.createServer();
	srv.listen(0, '127.0.0.1');
	await once(srv, 'listening');
	const { port } = srv.address();
	srv.close();
	await once(srv, 'close');
	return port;
}

/**
 * Wait until 127.0.0.1:port accepts (true), or child exits or the
 * deadline (a Date.now() value) passes (false).
 */
async function waitForPort(port, child, deadline) {
	while (Date.now() < deadline) {
		if (child.exitCode !== null || child.signalCode !== null) return false;
		const ok = await new Promise((resolve) => {
			const sock = net.connect(port, '127.0.0.1');
			sock.once('connect', () => { sock.destroy(); resolve(true); });
			sock.once('error', () => resolve(false));
		});
		if (ok) return true;
		await new Promise((r) => setTimeout(r, 50));
	}
	return false;
}

module.exports = { freePort, waitForPort };
