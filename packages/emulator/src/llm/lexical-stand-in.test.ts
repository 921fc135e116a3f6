import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { answerPrompt, garbageAnswer, scoreTags } from './lexical-stand-in.ts';
import { parsePrompt, transcriptSection } from './tag-list.ts';
import { stem } from './tokens.ts';

describe('tag list parsing', () => {
  it('reads "- Name: description" and "* Name: description" lines, name up to the first ": "', () => {
    const { tags, body } = parsePrompt(
      'Intro\n- Real Estate: Homes: buying, selling\n* Sports: games\nOutro',
    );
    expect(tags).toEqual([
      { name: 'Real Estate', description: 'Homes: buying, selling' },
      { name: 'Sports', description: 'games' },
    ]);
    expect(body).toBe('Intro\nOutro');
  });

  it('falls back to a JSON object of name -> description', () => {
    const { tags, body } = parsePrompt(
      'Choose from {"Sports": "games {and} teams", "Politics": "votes"} please',
    );
    expect(tags.map((t) => t.name)).toEqual(['Sports', 'Politics']);
    expect(body).toBe('Choose from  please');
  });

  it('takes the text after a Transcript: line, without the closing instruction', () => {
    expect(transcriptSection('Tags...\nTranscript:\nhello world\n\nAnswer with one tag.')).toBe(
      '\nhello world',
    );
  });
});

describe('stand-in answers', () => {
  const tags =
    '- Sports: News on athletic events and teams.\n- Finance: Advice on personal finance and investments.';

  it('answers exactly one tag name from the list', () => {
    const answer = answerPrompt(`${tags}\n\nTranscript:\nThe team won the final, the athletes celebrated.`);
    expect(answer.content).toBe('Sports');
    expect(answer.scores[0]?.tag).toBe('Sports');
  });

  it('prefers the injected transcript text over the prompt', () => {
    expect(answerPrompt(`${tags}\nTranscript:\n{{ transcript }}`, 'investing for retirement').content).toBe(
      'Finance',
    );
  });

  it('still picks a listed tag, deterministically, when nothing overlaps', () => {
    const a = answerPrompt(`${tags}\nTranscript:\nzzz qqq`);
    expect(['Sports', 'Finance']).toContain(a.content);
    expect(answerPrompt(`${tags}\nTranscript:\nzzz qqq`).content).toBe(a.content);
  });

  it('answers a short sentence when there is no tag list', () => {
    expect(answerPrompt('What is this about? Whales and oceans.').tag).toBeNull();
  });

  it('scores by name and description with IDF', () => {
    const scores = scoreTags(
      [
        { name: 'Health', description: 'medical news' },
        { name: 'Technology', description: 'tech news' },
      ],
      'news news news about the medical trial',
    );
    expect(scores[0]?.tag).toBe('Health');
  });

  it('stems related forms together', () => {
    expect(stem('politics')).toBe(stem('political'));
    expect(stem('investments')).toBe(stem('investing'));
    expect(stem('cultural')).toBe(stem('culture'));
    expect(stem('discoveries')).toBe(stem('discovery'));
  });

  it('garbage answers are never a single listed tag', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 50; i++) {
      expect(['Sports', 'Finance']).not.toContain(garbageAnswer(tags, random).trim());
    }
  });
});
