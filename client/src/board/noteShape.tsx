import { atom, BaseBoxShapeUtil, HTMLContainer, T, useValue, type RecordProps, type TLShape } from "tldraw";
import { NOTE_SHAPE_TYPE, NOTE_SIZE } from "@atelier/shared/document/canvas";
import type { Choice } from "@atelier/shared/wire/protocol";
import type { NoteRecord } from "@atelier/shared/document/docLayout";

declare module "tldraw" {
  export interface TLGlobalShapePropsMap {
    [NOTE_SHAPE_TYPE]: { noteId: string; w: number; h: number };
  }
}

export type AtelierNoteShape = TLShape<typeof NOTE_SHAPE_TYPE>;

/**
 * What the post-its display. The shape holds only the note id: the text
 * lives in the `notes` map, so hiding a note (which removes it from the
 * `room` document) takes its text off every screen, the projector's too.
 */
export const notesAtom = atom("atelier notes", new Map<string, NoteRecord>());
export const boardChoicesAtom = atom("atelier choices", { prompts: [] as Choice[], categories: [] as Choice[] });
export const anonymousLabelAtom = atom("atelier anonymous label", "anonyme");
/** Dot-vote totals per note or theme id. */
export const votesAtom = atom("atelier votes", new Map<string, number>());
/** The projector before the reveal: post-its without their text. */
export const maskTextsAtom = atom("atelier mask texts", false);

const PROMPT_COLOURS = ["#fff1a8", "#cfe8ff", "#d3f4d1", "#ffdcb8", "#e9dcff", "#ffd6e0"];

export function promptColour(prompts: Choice[], promptId: string): string {
  const index = prompts.findIndex((p) => p.id === promptId);
  return PROMPT_COLOURS[(index < 0 ? 0 : index) % PROMPT_COLOURS.length]!;
}

/** Greedy word wrap by character count: good enough for a post-it in an export. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/\s+/)) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
      while (line.length > width) {
        lines.push(line.slice(0, width));
        line = line.slice(width);
      }
    }
    lines.push(line);
  }
  return lines;
}

function NoteCard({ shape }: { shape: AtelierNoteShape }) {
  const note = useValue("note", () => notesAtom.get().get(shape.props.noteId), [shape.props.noteId]);
  const choices = useValue("choices", () => boardChoicesAtom.get(), []);
  const anonymous = useValue("anonymous", () => anonymousLabelAtom.get(), []);
  const votes = useValue("votes", () => votesAtom.get().get(shape.props.noteId) ?? 0, [shape.props.noteId]);
  const masked = useValue("masked", () => maskTextsAtom.get(), []);
  const category = note ? choices.categories.find((c) => c.id === note.category)?.label : undefined;
  return (
    <HTMLContainer
      className="atelier-note"
      data-note-id={shape.props.noteId}
      style={{
        width: shape.props.w,
        height: shape.props.h,
        background: note ? promptColour(choices.prompts, note.prompt) : "#eeeeee",
      }}
    >
      {note && masked ? <p className="atelier-note-text">…</p> : null}
      {note && !masked ? (
        <>
          <p className="atelier-note-text">{note.text}</p>
          <p className="atelier-note-meta">
            {category ? `${category} · ` : ""}
            {note.author || anonymous}
          </p>
        </>
      ) : null}
      {votes > 0 ? (
        <span className="atelier-note-votes" data-testid="note-votes">
          {"●".repeat(Math.min(votes, 10))} {votes}
        </span>
      ) : null}
    </HTMLContainer>
  );
}

export class AtelierNoteShapeUtil extends BaseBoxShapeUtil<AtelierNoteShape> {
  static override type = NOTE_SHAPE_TYPE;
  static override props: RecordProps<AtelierNoteShape> = { noteId: T.string, w: T.number, h: T.number };

  override getDefaultProps(): AtelierNoteShape["props"] {
    return { noteId: "", w: NOTE_SIZE, h: NOTE_SIZE };
  }

  override canEdit(): boolean {
    return false;
  }

  override canResize(): boolean {
    return false;
  }

  override component(shape: AtelierNoteShape) {
    return <NoteCard shape={shape} />;
  }

  /** Plain SVG for exports, so the archived image needs no HTML or page styles. */
  override toSvg(shape: AtelierNoteShape) {
    const note = notesAtom.get().get(shape.props.noteId);
    const { prompts, categories } = boardChoicesAtom.get();
    const { w, h } = shape.props;
    const lines = note ? wrap(note.text, 17).slice(0, 7) : [];
    const category = note ? categories.find((c) => c.id === note.category)?.label : undefined;
    return (
      <g>
        <rect
          width={w}
          height={h}
          rx={4}
          fill={note ? promptColour(prompts, note.prompt) : "#eeeeee"}
          stroke="#00000022"
        />
        <text x={14} y={32} fontFamily="sans-serif" fontSize={18} fill="#1d1b26">
          {lines.map((line, i) => (
            <tspan key={i} x={14} dy={i === 0 ? 0 : 22}>
              {line}
            </tspan>
          ))}
        </text>
        {note ? (
          <text x={14} y={h - 14} fontFamily="sans-serif" fontSize={12} fill="#4a4757">
            {`${category ? `${category} · ` : ""}${note.author || anonymousLabelAtom.get()}`}
          </text>
        ) : null}
      </g>
    );
  }

  override getIndicatorPath(shape: AtelierNoteShape) {
    const path = new Path2D();
    path.rect(0, 0, shape.props.w, shape.props.h);
    return path;
  }
}
