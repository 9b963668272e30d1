/**
 * The local mailbox simulator builds the SES event AWS would publish for a simulator address, and
 * nothing for any other recipient (test/infra/cli/smoke.test.ts shows the mail-events function
 * recording what it builds).
 */
import { describe, expect, it } from 'vitest';
import { simulatorEvent, snsNotification } from '../../../infra/local/ses-simulator.ts';

const sent = {
  FromEmailAddress: 'privacy@example-video.test',
  Destination: { ToAddresses: ['bounce@simulator.amazonses.com'] },
  EmailTags: [{ Name: 'requestId', Value: 'dsar_abc' }],
  ConfigurationSetName: 'cs',
};

describe('simulatorEvent', () => {
  it('makes a permanent bounce for bounce@, with the mail’s tags and the configuration set', () => {
    const event = simulatorEvent('bounce@simulator.amazonses.com', sent, 'm-1', new Date('2026-01-01T00:00:00Z'))!;
    expect(event).toMatchObject({
      eventType: 'Bounce',
      mail: { messageId: 'm-1', timestamp: '2026-01-01T00:00:00.000Z', tags: { requestId: ['dsar_abc'], 'ses:configuration-set': ['cs'] } },
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'bounce@simulator.amazonses.com' }] },
    });
  });

  it('makes a complaint for complaint@, labels and display names included', () => {
    expect(simulatorEvent('Test <complaint+label@simulator.amazonses.com>', sent, 'm-2', new Date())).toMatchObject({
      eventType: 'Complaint',
      complaint: { complainedRecipients: [{ emailAddress: 'Test <complaint+label@simulator.amazonses.com>' }] },
    });
  });

  it('makes nothing for an ordinary address or another simulator address', () => {
    for (const address of ['alice@example.com', 'success@simulator.amazonses.com', 'bounce@simulator.amazonses.com.evil.example']) {
      expect(simulatorEvent(address, sent, 'm-3', new Date())).toBeUndefined();
    }
  });

  it('wraps the event in an SNS notification whose message is the event as JSON', () => {
    const event = simulatorEvent('bounce@simulator.amazonses.com', sent, 'm-4', new Date())!;
    const n = snsNotification(event, 'arn:aws:sns:eu-north-1:000000000000:dsar-mail-events') as { Records: Array<{ Sns: { Message: string; TopicArn: string } }> };
    expect(n.Records).toHaveLength(1);
    expect(JSON.parse(n.Records[0]!.Sns.Message)).toEqual(event);
  });
});
