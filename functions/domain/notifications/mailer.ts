/** Sends an email with SES (v2). The local runtime points the SES endpoint at its mail emulator. */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Email } from './compose.ts';

/** What SES attaches to a message and hands back with its bounce and complaint events. */
export interface MailTags {
  /**
   * The request the mail is about, given by the caller that knows it (never guessed from the text: a
   * digest naming one request is not about it). Untagged mails' bounces reach no request's trail.
   */
  requestId?: string;
}

/** The SES message tag that carries the request id into the configuration set's events. */
export const REQUEST_ID_TAG = 'requestId';

export interface Mailer {
  send(to: string | string[], email: Email, tags?: MailTags): Promise<string | undefined>;
}

export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly from: string,
    private readonly configurationSet?: string,
  ) {}

  async send(to: string | string[], email: Email, tags: MailTags = {}): Promise<string | undefined> {
    const { requestId } = tags;
    const out = await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.from,
        Destination: { ToAddresses: Array.isArray(to) ? to : [to] },
        ConfigurationSetName: this.configurationSet,
        // SES returns message tags with every bounce and complaint event of the configuration set: the
        // mail-events function finds the request by it, without the address.
        EmailTags: requestId ? [{ Name: REQUEST_ID_TAG, Value: requestId }] : undefined,
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
