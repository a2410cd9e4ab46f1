import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classificationReport, formatClassificationReport, formatConfusionMatrix, formatEvaluation, labelsFromProbabilities } from '../../src/evaluation/metrics.js';

// Hand-checked: true a a a b b c c c c b / predicted a b a b c c c a c b
//   confusion rows (true) a: [2 1 0], b: [0 2 1], c: [1 0 3]; 7 of 10 correct
//   a: P 2/3 R 2/3; b: P 2/3 R 2/3; c: P 3/4 R 3/4
const yTrue = [0, 0, 0, 1, 1, 2, 2, 2, 2, 1];
const yPred = [0, 1, 0, 1, 2, 2, 2, 0, 2, 1];
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} != ${b}`);

test('accuracy, per-class precision/recall/F1/support, averages and confusion matrix on a hand-checked example', () => {
  const r = classificationReport({ yTrue, yPred, classNames: ['a', 'b', 'c'] });
  assert.equal(r.total, 10);
  assert.equal(r.correct, 7);
  close(r.accuracy, 0.7, 'accuracy');
  assert.deepEqual(r.confusionMatrix, [[2, 1, 0], [0, 2, 1], [1, 0, 3]]);
  const expected = [[2 / 3, 2 / 3, 3], [2 / 3, 2 / 3, 3], [0.75, 0.75, 4]];
  r.perClass.forEach((m, i) => {
    close(m.precision, expected[i][0], `${m.className} precision`);
    close(m.recall, expected[i][1], `${m.className} recall`);
    close(m.f1, expected[i][0], `${m.className} f1`);
    assert.equal(m.support, expected[i][2]);
  });
  close(r.macroAvg.precision, (2 / 3 + 2 / 3 + 0.75) / 3, 'macro precision');
  close(r.weightedAvg.recall, 0.7, 'weighted recall');
  assert.equal(r.macroAvg.support, 10);
  assert.deepEqual(r.misclassified.map((m) => [m.index, m.trueClass, m.predictedClass]),
    [[1, 'a', 'b'], [4, 'b', 'c'], [7, 'c', 'a']]);
});

test('precision and recall of a class never predicted or never present are 0, like scikit-learn', () => {
  // Class "c" is never predicted and class "b" never occurs.
  const r = classificationReport({ yTrue: [0, 0, 2, 2], yPred: [0, 1, 0, 0], classNames: ['a', 'b', 'c'] });
  assert.deepEqual(r.confusionMatrix, [[1, 1, 0], [0, 0, 0], [2, 0, 0]]);
  const [a, b, c] = r.perClass;
  close(a.precision, 1 / 3, 'a precision');
  close(a.recall, 0.5, 'a recall');
  close(a.f1, 0.4, 'a f1');
  assert.deepEqual([b.precision, b.recall, b.f1, b.support], [0, 0, 0, 0]);
  assert.deepEqual([c.precision, c.recall, c.f1, c.support], [0, 0, 0, 2]);
  close(r.weightedAvg.f1, (2 * 0.4 + 0) / 4, 'weighted f1');
});

test('predictions from softmax rows (argmax) and sigmoid outputs (threshold), with confidences of the mistakes', () => {
  assert.deepEqual(labelsFromProbabilities([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]]), [1, 0]);
  assert.deepEqual(labelsFromProbabilities([[0.2], [0.5], [0.9]]), [0, 1, 1]);
  assert.deepEqual(labelsFromProbabilities([[0.2], [0.5], [0.9]], 0.8), [0, 0, 1]);

  const r = classificationReport({
    yTrue: [0, 1, 1, 0], probabilities: [[0.1], [0.8], [0.3], [0.95]], classNames: ['cog', 'toon'],
    files: ['c0.png', 't0.png', 't1.png', 'c1.png'],
  });
  assert.deepEqual(r.confusionMatrix, [[1, 1], [1, 1]]);
  assert.equal(r.misclassified.length, 2);
  const [m1, m2] = r.misclassified;
  assert.deepEqual([m1.file, m1.trueClass, m1.predictedClass], ['t1.png', 'toon', 'cog']);
  close(m1.confidence!, 0.7, 'confidence in "cog"');
  close(m1.trueClassProbability!, 0.3, 'probability of "toon"');
  assert.equal(m2.file, 'c1.png');
  close(m2.confidence!, 0.95, 'confidence in "toon"');
});

test('bad input is an error that says what is wrong', () => {
  const names = ['a', 'b'];
  assert.throws(() => classificationReport({ yTrue: [0, 1], yPred: [0], classNames: names }), /yPred has 1 labels but yTrue has 2/);
  assert.throws(() => classificationReport({ yTrue: [0, 2], yPred: [0, 1], classNames: names }), /yTrue\[1\] is 2: labels must be class indices 0\.\.1/);
  assert.throws(() => classificationReport({ yTrue: [0, 1], yPred: [0, 0.5], classNames: names }), /yPred\[1\] is 0.5/);
  assert.throws(() => classificationReport({ yTrue: [0], classNames: names }), /Give yPred or probabilities/);
  assert.throws(() => classificationReport({ yTrue: [0], probabilities: [[0.2, 0.3, 0.5]], classNames: names }), /yPred\[0\] is 2/);
  assert.throws(() => classificationReport({ yTrue: [0], yPred: [0], probabilities: [[0.2, 0.3, 0.5]], classNames: names }), /probabilities\[0\] has 3 values but there are 2 classes/);
  assert.throws(() => classificationReport({ yTrue: [0], yPred: [0], classNames: ['a', 'a'] }), /duplicates/);
});

test('text report: scikit-learn classification_report layout and a named confusion matrix', () => {
  const r = classificationReport({ yTrue, yPred, classNames: ['a', 'b', 'c'] });
  assert.equal(formatClassificationReport(r), [
    '              precision    recall  f1-score   support',
    '',
    '           a       0.67      0.67      0.67         3',
    '           b       0.67      0.67      0.67         3',
    '           c       0.75      0.75      0.75         4',
    '',
    '    accuracy                           0.70        10',
    '   macro avg       0.69      0.69      0.69        10',
    'weighted avg       0.70      0.70      0.70        10',
  ].join('\n'));

  const suits = classificationReport({ yTrue: [0, 1, 2, 3, 3], yPred: [0, 1, 2, 3, 1], classNames: ['bossbot', 'cashbot', 'lawbot', 'sellbot'] });
  assert.equal(formatConfusionMatrix(suits), [
    'true \\ pred  bossbot  cashbot  lawbot  sellbot',
    'bossbot            1        0       0        0',
    'cashbot            0        1       0        0',
    'lawbot             0        0       1        0',
    'sellbot            0        1       0        1',
  ].join('\n'));

  const text = formatEvaluation(suits, { title: 'Test set' });
  assert.match(text, /^Test set\n\nAccuracy: 80\.00% \(4\/5 correct\)/);
  assert.match(text, /Confusion matrix \(rows: true class, columns: predicted class\)/);
  assert.match(text, /Misclassified: 1\n  #4: sellbot predicted as cashbot$/);
});
