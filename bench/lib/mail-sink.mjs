import { SMTPServer } from 'smtp-server';

/**
 * A local SMTP server that counts the mails it receives (each read to its end, as a real server would), so a
 * benchmark can report mails delivered, not only answers given. `received` is the running count.
 */
export async function startMailSink() {
  const sink = { received: 0 };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    // A DNS lookup of 127.0.0.1 per connection would measure the resolver, not the app.
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        sink.received++;
        callback();
      });
    },
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = server.server.address().port;
  sink.close = () => new Promise((resolve) => server.close(resolve));
  return sink;
}
