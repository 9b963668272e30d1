/**
 * The SES mailbox simulator, locally. On AWS a mail to bounce@simulator.amazonses.com bounces and one to
 * complaint@simulator.amazonses.com draws a complaint; the configuration set publishes the event to SNS,
 * and the mail-events function records it on the request's trail. The SES emulator delivers every mail to
 * its store, so this endpoint sits in front of it: it passes each call through unchanged and, for an SES
 * v2 SendEmail to a simulator address that the emulator accepted, hands the same SNS notification AWS
 * would deliver to `publish` (the runtime gives it to the mail-events function). `dsar smoke --local`
 * uses it to check the bounce and complaint path without an AWS account.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardServer } from './origin-guard.ts';

export const SIMULATOR = {
  bounce: 'bounce@simulator.amazonses.com',
  complaint: 'complaint@simulator.amazonses.com',
} as const;

export interface SesSimulator {
  url: string;
  close(): Promise<void>;
}

interface SendEmailBody {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  EmailTags?: Array<{ Name: string; Value: string }>;
  ConfigurationSetName?: string;
}

/** The SES event-publishing record for a simulator address (the fields SES documents), or undefined. */
export function simulatorEvent(address: string, body: SendEmailBody, messageId: string, at: Date): Record<string, unknown> | undefined {
  const bare = address.replace(/^.*<([^>]+)>\s*$/, '$1').trim().toLowerCase();
  // SES also accepts labels (bounce+anything@simulator.amazonses.com).
  const kind = /^(bounce|complaint)(\+[^@]*)?@simulator\.amazonses\.com$/.exec(bare)?.[1];
  if (!kind) return undefined;
  const tags: Record<string, string[]> = {};
  for (const t of body.EmailTags ?? []) tags[t.Name] = [...(tags[t.Name] ?? []), t.Value];
  if (body.ConfigurationSetName) tags['ses:configuration-set'] = [body.ConfigurationSetName];
  const d = body.Destination ?? {};
  const mail = {
    timestamp: at.toISOString(),
    messageId,
    source: body.FromEmailAddress,
    destination: [...(d.ToAddresses ?? []), ...(d.CcAddresses ?? []), ...(d.BccAddresses ?? [])],
    tags,
  };
  const timestamp = new Date(at.getTime() + 1).toISOString();
  return kind === 'bounce'
    ? {
        eventType: 'Bounce',
        mail,
        bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: address }], timestamp, feedbackId: randomUUID() },
      }
    : {
        eventType: 'Complaint',
        mail,
        complaint: { complainedRecipients: [{ emailAddress: address }], complaintFeedbackType: 'abuse', timestamp, feedbackId: randomUUID() },
      };
}

/** An SNS notification carrying one SES event, as SNS hands it to a subscribed Lambda function. */
export function snsNotification(event: Record<string, unknown>, topicArn: string): Record<string, unknown> {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:${randomUUID()}`,
        Sns: { Type: 'Notification', MessageId: randomUUID(), TopicArn: topicArn, Message: JSON.stringify(event), Timestamp: new Date().toISOString() },
      },
    ],
  };
}

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

export async function startSesSimulator(options: {
  host: string;
  /** The SES emulator every call is passed to. */
  upstream: string;
  topicArn: string;
  publish: (notification: Record<string, unknown>) => Promise<unknown>;
  onError?: (err: Error) => void;
}): Promise<SesSimulator> {
  const upstream = new URL(options.upstream);
  const pending = new Set<Promise<unknown>>();
  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const answer = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
        const out = httpRequest(
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
          async (up) => resolve({ status: up.statusCode ?? 502, headers: up.headers, body: await readBody(up) }),
        );
        out.on('error', reject);
        out.end(body);
      });
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
      if (req.method === 'POST' && req.url?.split('?')[0] === '/v2/email/outbound-emails' && answer.status === 200) {
        const sent = JSON.parse(body.toString('utf8')) as SendEmailBody;
        const messageId = (JSON.parse(answer.body.toString('utf8')) as { MessageId?: string }).MessageId ?? randomUUID();
        const d = sent.Destination ?? {};
        for (const address of [...(d.ToAddresses ?? []), ...(d.CcAddresses ?? []), ...(d.BccAddresses ?? [])]) {
          const event = simulatorEvent(address, sent, messageId, new Date());
          if (!event) continue;
          // Asynchronous, like SNS: the sender has its answer before the event is recorded.
          const run = options.publish(snsNotification(event, options.topicArn)).catch((err: Error) => options.onError?.(err));
          pending.add(run);
          void run.finally(() => pending.delete(run));
        }
      }
    } catch (err) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `SES simulator: ${(err as Error).message}` }));
    }
  });
  // A machine-to-machine endpoint, like the others: no web page may call it.
  guardServer(server, { origins: 'none' });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: async () => {
      await Promise.allSettled([...pending]);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
