#!/usr/bin/env python3
"""Lines up JoinLatencyTest's page marks with the server's debug log: one row per step of a join, in ms after
Join was pressed, for each measured join, with the median. Page steps are marked P, server steps S.
  bench/join-timeline.py e2e/target/surefire-reports/dev.parley.e2e.JoinLatencyTest-output.txt e2e/target/server-join-latency-*.log
(bench/join-latency.sh runs it after the test). Page and server share the machine's clock."""
import datetime
import re
import statistics
import sys


def millis(stamp):
    return datetime.datetime.fromisoformat(stamp.replace('Z', '+00:00')).timestamp() * 1000


def main(output_file, log_file):
    output = open(output_file, encoding='utf-8').read()
    log = open(log_file, encoding='utf-8').read().splitlines()
    joins = {}
    for m in re.finditer(r'JOIN LATENCY join (\d+) \((\w+)\): (.*) \(Join pressed at (\S+)\)', output):
        marks = {k: float(v) for k, v in re.findall(r'(\w+) (-?\d+) ms', m.group(3))}
        joins[int(m.group(1))] = (m.group(2), millis(m.group(4)), marks)
    ids = {}
    for line in log:
        m = re.search(r'joined sent to (\w+) as (\w+)', line)
        if m:
            ids[m.group(1)] = m.group(2)
    rows = {}
    for n, (name, pressed, marks) in sorted(joins.items()):
        pid = ids.get(name)
        steps = {}

        def note(step, at):
            steps.setdefault(step, round(at - pressed))

        for line in log:
            stamp = line.split(' ', 1)[0]
            if not stamp[:1].isdigit():
                continue
            at = millis(stamp)
            if at < pressed - 5_000:
                continue
            if 'join received for room ' in line and line.endswith(' from ' + name):
                note('S join received', at)
            elif 'subscriber offer 1 sent to ' + name in line:
                note('S offer sent', at)
            elif 'subscriber answer 1 received from ' + name in line:
                note('S answer received', at)
            elif pid and 'subscriber ' + pid + ': first ICE check' in line:
                note('S first ICE check', at)
            elif pid and 'subscriber ' + pid + ': first DTLS record' in line:
                note('S ClientHello', at)
            elif pid and 'subscriber ' + pid + ': media goes to' in line and 'nominated' in line:
                note('S nominated', at)
            elif pid and 'subscriber ' + pid + ' connected' in line:
                note('S DTLS done', at)
            elif 'PLI sent' in line and 'S DTLS done' in steps and at >= pressed + steps['S DTLS done']:
                note('S PLI sent', at)
            elif 'keyframe of video' in line and 'S PLI sent' in steps and at >= pressed + steps['S PLI sent']:
                note('S keyframe in', at)
        for key, value in marks.items():
            steps['P ' + key] = round(value)
        rows[n] = steps
    order = ['P socketOpen', 'P joinSent', 'S join received', 'S offer sent', 'P joinedMessage', 'P offerMessage',
             'P subscriberOffer', 'P answerSent', 'S answer received', 'S first ICE check', 'P subscriberIceConnected',
             'S ClientHello', 'S nominated', 'S DTLS done', 'S PLI sent', 'P subscriberConnected', 'S keyframe in',
             'P firstFrame', 'P publisherConnected']
    print('JOIN TIMELINE | step (ms after Join) | median | ' + ' '.join('j%d' % n for n in rows) + ' |')
    for step in order:
        values = [rows[n].get(step) for n in rows]
        present = [v for v in values if v is not None]
        if present:
            print('JOIN TIMELINE | %s | %d | %s |' % (step, statistics.median(present),
                                                     ' '.join('-' if v is None else str(v) for v in values)))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
