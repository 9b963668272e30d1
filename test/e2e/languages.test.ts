/**
 * A Norwegian subject end to end on the real embedded runtime: bob files his requests from a browser
 * set to Norwegian Bokmål (`nb-NO`), so every mail he gets, and the erasure report in it, is Norwegian.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { unzipToText } from '../support/zip.ts';
import { releasePackage } from '../support/release.ts';
import { BOB } from '../../infra/local/demo/people.ts';

let rt: TestRuntime;

beforeAll(async () => {
  rt = await startTestRuntime({ crowd: 10 });
});
afterAll(async () => {
  await rt?.cleanup();
});

const mailsAbout = async (id: string) => (await rt.mails(BOB.email)).filter((m) => m.subject.includes(id) || m.body.text?.includes(id));

describe('bob, who files in nb-NO', () => {
  let accessId: string;

  it('is acknowledged, sent his code and told his data is ready, in Norwegian', async () => {
    accessId = await rt.fileAndVerify(BOB.email, 'access', 'nb-NO');
    await rt.approve(accessId, 'access');
    await releasePackage(rt, accessId);
    await rt.waitForStatus(accessId, 'completed', 60_000);
    await rt.waitForMail(BOB.email, `Opplysningene dine er klare (${accessId})`);

    const [ack, code, ready] = await mailsAbout(accessId);
    expect(ack!.subject).toBe(`Vi har mottatt forespørselen din (${accessId})`);
    expect(ack!.body.text).toContain('Vi mottok forespørselen din om innsyn i personopplysningene dine den ');
    expect(ack!.body.html).toContain('<html lang="nb-NO">');
    expect(code!.subject).toBe('Bekreftelseskoden din');
    expect(code!.body.text).toMatch(new RegExp(`Koden din for forespørsel ${accessId} er: \\d{6}`));
    expect(ready!.subject).toBe(`Opplysningene dine er klare (${accessId})`);
    expect(ready!.body.text).toContain(`Vi er ferdige med forespørselen din om innsyn i personopplysningene dine (${accessId}).`);
    expect(ready!.body.text).toContain('Last ned opplysningene dine');
    expect(ready!.body.text).toContain('Du har rett til å klage til tilsynsmyndigheten');
    // What the configuration says is Norwegian too: the authority's address.
    expect(ready!.body.text).toContain('Postboks 8177 Dep., 0034 Oslo');
    expect(ready!.body.text).not.toContain('PO Box');
    // The status page the acknowledgement links opens in Norwegian, whatever the browser's language.
    expect(new URL(/(http:\/\/\S+\/request\/status\S+)/.exec(ack!.body.text!)![1]!).searchParams.get('lang')).toBe('nb');

    // His report names the systems and says the configured texts in Norwegian.
    const link = /(http:\/\/\S+\/v1\/downloads\/\S+)/.exec(ready!.body.text!)![1]!;
    const zip = await unzipToText(Buffer.from(await (await fetch(link)).arrayBuffer()));
    const report = zip.get('report.html')!;
    expect(report).toContain('<html lang="nb-NO">');
    expect(report).toContain('Stripe (betalinger)');
    expect(report).toContain('HubSpot (kommunikasjon og markedsføring)');
    expect(report).not.toMatch(/Stripe \(payments\)|HubSpot \(communication|PO Box 8177/);
  }, 90_000);

  it('gets his erasure report in Norwegian, told that his earlier package was deleted, with only the recipients of his systems', async () => {
    const erasureId = await rt.fileAndVerify(BOB.email, 'erasure', 'nb-NO');
    await rt.approve(erasureId, 'erasure');
    await rt.waitForStatus(erasureId, ['completed', 'completed_partial'], 60_000);
    const mail = await rt.waitForMail(BOB.email, `Opplysningene dine er slettet (${erasureId})`);
    const text = mail.body.text!;

    expect(text).toContain(`Vi er ferdige med forespørselen din om sletting (${erasureId}). Dette har vi gjort:`);
    // Systems and the configured reasons for keeping records, in Norwegian (config/example.config.json).
    expect(text).toContain('Stripe (betalinger)');
    expect(text).toContain('Bokføringsloven § 13: regnskapsmateriale oppbevares i fem år');
    expect(text).not.toMatch(/Stripe \(payments\)|Norwegian Bookkeeping Act|HubSpot \(communication/);
    expect(text).toMatch(/ {2}- Betalinger: \d+ oppføringer? beholdt \(grunn \d\)\./);
    expect(text).toContain('Derfor beholder vi noen av opplysningene dine:');
    expect(text).toContain('Vi har også slettet kopiene av opplysningene dine som vi hadde laget til den tidligere forespørselen din');
    expect(text).toContain('Vi har fortalt disse mottakerne av opplysningene dine om slettingen:');
    // Raw object names and recipients whose systems never held his data are not in it.
    expect(text).not.toMatch(/payment_intents|customers|Microsoft|Public authorities|Offentlige myndigheter|Salesforce/);
    // Each object on one line: no object is named twice.
    const objects = text.split('\n').filter((l) => /^ {2}- [^:]+: \d/.test(l)).map((l) => l.split(':')[0]);
    expect(new Set(objects).size).toBe(objects.length);
  }, 90_000);
});
