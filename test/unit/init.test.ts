import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { checkAnswers, initConfigText, promptAnswers, suggestName } from '../../cli/commands/init.js';
import { UsageError } from '../../cli/lib/errors.js';

describe('init: config text and answers', () => {
  it('the template is valid for awkward but legal values (quoted title, odd email)', () => {
    const cfg = parseConfig(initConfigText({ name: 'yes', email: 'a+b@x.org', domain: 'a.b.example.org' }));
    expect(cfg.shinyproxy.title).toBe('Yes');
    expect(cfg.tls.email).toBe('a+b@x.org');
    expect(cfg.domain).toBe('a.b.example.org');
  });

  it('a name containing a word Cognito reserves is reported against --name', () => {
    expect(() => checkAnswers({ name: 'my-aws-lab', email: 'a@b.org' })).toThrow(UsageError);
    try {
      checkAnswers({ name: 'my-aws-lab', email: 'a@b.org' });
    } catch (err) {
      expect((err as UsageError).details.join('\n')).toMatch(/^--name: .*Cognito reserves/m);
    }
  });

  it('suggests a DNS-label name from the folder, falling back when none can be made', () => {
    expect(suggestName('/x/Field Lab')).toBe('field-lab');
    expect(suggestName('/x/___')).toBe('shiny-apps');
    expect(suggestName('/x/aws-things')).toBe('shiny-apps');
  });

  it('prompts only for what the flags did not give, with defaults on empty answers', async () => {
    const asked: string[] = [];
    const replies = ['', '', 'me@lab.org'];
    const answers = await promptAnswers({}, { name: 'lab' }, async (q) => {
      asked.push(q);
      return replies.shift() ?? '';
    });
    expect(answers).toEqual({ name: 'lab', domain: undefined, email: 'me@lab.org' });
    expect(asked).toHaveLength(3);

    const none: string[] = [];
    await promptAnswers({ name: 'x', domain: 'a.b.org', email: 'e@b.org' }, { name: 'lab' }, async (q) => {
      none.push(q);
      return '';
    });
    expect(none).toEqual([]);
  });

  it('asks again for the email until one is given (it has no default)', async () => {
    const replies = ['n', '', '', '', 'e@b.org'];
    const answers = await promptAnswers({}, { name: 'lab' }, async () => replies.shift() ?? '');
    expect(answers.email).toBe('e@b.org');
  });
});
