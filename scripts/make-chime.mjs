// Writes client/public/sounds/countdown-end.wav: the soft chime the projector
// plays when a countdown ends. Synthesised here (two decaying sine partials,
// a major third apart) so the file has no licence but the project's own.
// Run: node scripts/make-chime.mjs
import { Buffer } from "node:buffer";
import { writeFileSync } from "node:fs";

const RATE = 22_050;
const SECONDS = 1.6;
const NOTES = [
  { start: 0, freq: 659.25 }, // E5
  { start: 0.28, freq: 523.25 }, // C5
];
const samples = new Int16Array(Math.round(RATE * SECONDS));
for (let i = 0; i < samples.length; i++) {
  const time = i / RATE;
  let value = 0;
  for (const { start, freq } of NOTES) {
    const t = time - start;
    if (t < 0) continue;
    const attack = Math.min(1, t / 0.015);
    const envelope = attack * Math.exp(-t * 3.2);
    value += envelope * (Math.sin(2 * Math.PI * freq * t) + 0.25 * Math.sin(4 * Math.PI * freq * t));
  }
  // Quiet on purpose: a room of people, not an alarm.
  samples[i] = Math.round(Math.max(-1, Math.min(1, value * 0.22)) * 32_767);
}
const header = Buffer.alloc(44);
header.write("RIFF", 0);
header.writeUInt32LE(36 + samples.byteLength, 4);
header.write("WAVEfmt ", 8);
header.writeUInt32LE(16, 16);
header.writeUInt16LE(1, 20); // PCM
header.writeUInt16LE(1, 22); // mono
header.writeUInt32LE(RATE, 24);
header.writeUInt32LE(RATE * 2, 28);
header.writeUInt16LE(2, 32);
header.writeUInt16LE(16, 34);
header.write("data", 36);
header.writeUInt32LE(samples.byteLength, 40);
const out = new URL("../client/public/sounds/countdown-end.wav", import.meta.url);
writeFileSync(out, Buffer.concat([header, Buffer.from(samples.buffer)]));
console.log(`wrote ${out.pathname} (${44 + samples.byteLength} bytes)`);
