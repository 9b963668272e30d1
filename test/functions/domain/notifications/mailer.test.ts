import { afterEach, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SesMailer } from '#domain/notifications/mailer';

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
