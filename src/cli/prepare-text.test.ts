import { describe, expect, it } from 'vitest';
import { decodeMail, MAX_BODY_CHARS } from './prepare-text';

const headers = (extra: string) =>
  [
    'From spammer@example.com  Thu Aug  1 12:40:14 2002',
    'Received: from relay.example.net (relay [10.0.0.1]) by mx.example.org',
    'X-Spam-Status: No, hits=0.0',
    'From: "Deals" <Offers@Mail.Example.COM>',
    'Subject: =?iso-8859-1?q?Gro=DFe_Preise?=',
    'MIME-Version: 1.0',
    extra,
  ].join('\r\n');

describe('decodeMail', () => {
  it('keeps the decoded Subject and text part, the sender domain apart, and no other header', async () => {
    const raw = [
      headers('Content-Type: multipart/alternative; boundary="b1"'),
      '',
      '--b1',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Caf=E9 prices =',
      'today only',
      '--b1',
      'Content-Type: text/html',
      '',
      '<p>ignored html</p>',
      '--b1--',
      '',
    ].join('\r\n');
    const m = await decodeMail(raw, 'spam-1/00001', 'spam-1');
    expect(m).toEqual({
      id: 'spam-1/00001',
      group: 'spam-1',
      label: 1,
      from: 'mail.example.com',
      subject: 'Große Preise',
      body: 'Café prices today only',
    });
  });

  it('turns an HTML-only mail into text, without images or markup, and cuts long bodies', async () => {
    const html =
      '<html><head><style>p{color:red}</style></head><body><p>Click <a href="http://x.example/buy">HERE</a></p><img src="y.gif"><p>now &amp; save</p></body></html>';
    const m = await decodeMail(headers('Content-Type: text/html; charset=us-ascii') + '\r\n\r\n' + html, 'easy-ham-1/00002', 'easy-ham-1');
    expect(m.label).toBe(0);
    expect(m.body).toContain('Click HERE [http://x.example/buy]');
    expect(m.body).toContain('now & save');
    expect(m.body).not.toMatch(/<|color|y\.gif/);
    const long = await decodeMail(headers('Content-Type: text/plain') + '\r\n\r\n' + 'word '.repeat(10_000), 'spam-2/00003', 'spam-2');
    expect(long.body.length).toBe(MAX_BODY_CHARS);
  });
});
