import { describe, expect, it } from 'vitest';
import { csvCell } from './format.ts';

describe('csvCell: cells a spreadsheet would run as formulas are neutralised', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', '"\'\r=1"'],
    // What the old ^[=+\-@\t\r] check let through:
    ['\n=HYPERLINK("http://evil")', '"\'\n=HYPERLINK(""http://evil"")"'],
    ['\nplain text after a newline', '"\'\nplain text after a newline"'],
    ['  =1+1', "'  =1+1"],
    [' @SUM(A1)', "' @SUM(A1)"],
    ['\u00a0=1', "'\u00a0=1"],
    ['\u3000+1', "'\u3000+1"],
    ['\u2003-1', "'\u2003-1"],
    ['\u200b=1', "'\u200b=1"],
    ['\ufeff=1', "'\ufeff=1"],
    ['\uff1dcmd|" /C calc"!A0', '"\'\uff1dcmd|"" /C calc""!A0"'],
    ['\uff0b1', "'\uff0b1"],
    ['\uff0d1', "'\uff0d1"],
    ['\uff20SUM(A1)', "'\uff20SUM(A1)"],
    ['\ufe661', "'\ufe661"],
    [' \uff1d1', "' \uff1d1"],
  ])('%j → %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it.each([
    ['https://cdn.example.com/a.mp3', 'https://cdn.example.com/a.mp3'],
    ['Sports', 'Sports'],
    ['a=b', 'a=b'],
    ['  padded', '"  padded"'],
    ['x, y', '"x, y"'],
    [42, '42'],
    [null, ''],
    [{ title: '=x' }, '"{""title"":""=x""}"'],
  ])('%j is left as it is (quoted when needed): %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });
});
