// The container's HEALTHCHECK (the slim image has no curl): GET /readyz on this container's own
// port. Exit 0 when it answers 200 (the server is up and its database answers), 1 otherwise.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const port = Number(process.env.PORT || 8080);
// With GATEHOUSE_TLS_CERT/KEY the server speaks HTTPS only. Its certificate names the public host,
// not 127.0.0.1, and this request never leaves the container: the certificate is not checked.
const tls = Boolean(process.env.GATEHOUSE_TLS_CERT);
const request = tls ? httpsRequest : httpRequest;

const req = request({ host: '127.0.0.1', port, path: '/readyz', method: 'GET', timeout: 4000, rejectUnauthorized: false }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timed out')));
req.on('error', () => process.exit(1));
req.end();
