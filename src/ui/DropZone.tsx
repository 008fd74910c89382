import { useState, type DragEvent, type ReactNode } from 'react';

/** Files dropped on an element (no directories). */
export function droppedFiles(e: DragEvent): File[] {
  e.preventDefault();
  return Array.from(e.dataTransfer.files);
}

/** A file button that also takes files dropped on it; `hint` is shown beside the button. */
export function DropZone(props: {
  label: string;
  accept: string;
  multiple?: boolean;
  disabled: boolean;
  onFiles: (files: File[]) => void;
  dropTestId: string;
  inputTestId: string;
  hint: ReactNode;
}) {
  const [over, setOver] = useState(false);
  return (
    <div
      className={`drop-zone ${over ? 'over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        setOver(false);
        props.onFiles(droppedFiles(e));
      }}
      data-testid={props.dropTestId}
    >
      <label className="file-button">
        <input
          type="file"
          multiple={props.multiple}
          accept={props.accept}
          disabled={props.disabled}
          onChange={(e) => {
            props.onFiles(Array.from(e.target.files ?? []));
            e.target.value = '';
          }}
          data-testid={props.inputTestId}
        />
        <span>{props.label}</span>
      </label>
      <span className="muted small">{props.hint}</span>
    </div>
  );
}
