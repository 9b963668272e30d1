import { afterEach, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SesMailer } from '#domain/notifications/mailer';
import { startSes } from '../../../../infra/local/emulators.ts';

const ses = mockClient(SESv2Client);
afterEach(() => ses.reset());

it('sends text and HTML from the configured sender with the configuration set', async () => {
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  const mailer = new SesMailer(new SESv2Client({}), 'privacy@example.test', 'dsar-set');

  const id = await mailer.send('alice@example.com', { subject: 'S', text: 'T', html: '<p>H</p>' });

  expect(id).toBe('m-1');
  const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
  expect(input).toMatchObject({
    FromEmailAddress: 'privacy@example.test',
    Destination: { ToAddresses: ['alice@example.com'] },
    ConfigurationSetName: 'dsar-set',
  });
  expect(input.Content?.Simple?.Body?.Html?.Data).toBe('<p>H</p>');
  expect(input.Content?.Simple?.Body?.Text?.Data).toBe('T');
});

it('tags a mail with the request id its caller gives, so SES hands it back with bounces and complaints', async () => {
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-2' });
  const mailer = new SesMailer(new SESv2Client({}), 'privacy@example.test', 'dsar-set');

  await mailer.send('alice@example.com', { subject: 'We received your request (dsar_abc)', text: 'T', html: 'H' }, { requestId: 'dsar_abc' });

  expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input.EmailTags).toEqual([{ Name: 'requestId', Value: 'dsar_abc' }]);
});

it('does not guess a request from the text: a digest that names one request goes untagged', async () => {
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-3' });
  const mailer = new SesMailer(new SESv2Client({}), 'privacy@example.test');

  await mailer.send('staff@example.test', { subject: '[DSAR] 1 request near a deadline', text: 'dsar_aaa1 (access): due in 3 days', html: 'H' });

  expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input.EmailTags).toBeUndefined();
});

it('sends a tagged mail through the local SES emulator the embedded runtime uses', async () => {
  ses.restore();
  const emulator = await startSes('127.0.0.1', 0);
  try {
    const client = new SESv2Client({ endpoint: emulator.url, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const mailer = new SesMailer(client, 'privacy@example.test');
    const id = await mailer.send('alice@example.com', { subject: 'Your data is ready (dsar_mabc12de01)', text: 'T', html: '<p>H</p>' }, { requestId: 'dsar_mabc12de01' });
    expect(id).toBeTruthy();
    const store = (await (await fetch(`${emulator.url}/store`)).json()) as { emails: Array<{ subject: string }> };
    expect(store.emails.map((m) => m.subject)).toContain('Your data is ready (dsar_mabc12de01)');
  } finally {
    await emulator.close();
  }
});
