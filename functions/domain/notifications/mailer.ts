/** Sends an email with SES (v2). The local runtime points the SES endpoint at its mail emulator. */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Email } from './templates.ts';

export interface Mailer {
  send(to: string | string[], email: Email): Promise<string | undefined>;
}

export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly from: string,
    private readonly configurationSet?: string,
  ) {}

  async send(to: string | string[], email: Email): Promise<string | undefined> {
    const out = await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.from,
        Destination: { ToAddresses: Array.isArray(to) ? to : [to] },
        ConfigurationSetName: this.configurationSet,
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              Html: { Data: email.html, Charset: 'UTF-8' },
            },
          },
        },
      }),
    );
    return out.MessageId;
  }
}
