/**
 * The floor under every peer's known-account row, for bench/peers.mjs only: plain node:http that reads the JSON
 * body and hands one mail to a pooled nodemailer transport (not awaited, as the better-auth peer does), with no
 * database, no token and no framework. No reset flow that mails through nodemailer on this machine can deliver
 * more mails per second than this. Env: PORT, SMTP_HOST/SMTP_PORT, SMTP_CONNECTIONS. Prints the sample's
 * listening line, so startSample() (bench/lib/sample-process.mjs) starts it.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createTransport } from 'nodemailer';

const port = Number(process.env.PORT);
const transport = createTransport({
  host: process.env.SMTP_HOST ?? '127.0.0.1',
  port: Number(process.env.SMTP_PORT ?? 25),
  pool: true,
  // The sample's pool size, as the better-auth peer has it.
  maxConnections: Number(process.env.SMTP_CONNECTIONS ?? 50),
  maxMessages: Infinity,
});

const server = createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    let email;
    try {
      email = JSON.parse(body).email;
    } catch {
      response.writeHead(400).end();
      return;
    }
    // A token-sized random link, so each mail is as long as a real one.
    const link = `http://127.0.0.1:${port}/reset?token=${randomBytes(32).toString('base64url')}`;
    transport
      .sendMail({
        from: 'Peer <no-reply@example.com>',
        to: email,
        subject: 'Reset your password',
        text: `Open ${link} to choose a new password.`,
      })
      .catch((error) => console.error('mail failed:', error.message));
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(port, '127.0.0.1', () => console.log(`Sample listening on http://127.0.0.1:${port}`));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  transport.close();
});
