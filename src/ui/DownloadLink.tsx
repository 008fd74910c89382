import type { MouseEvent } from 'react';
import { saveBlob } from './download';

/** A download link for text made in the page (the file is made at the click: download.ts says why). */
export function DownloadLink({
  text,
  type,
  filename,
  testId,
  children,
}: {
  text: string;
  type: string;
  filename: string;
  testId: string;
  children: string;
}) {
  const save = (e: MouseEvent<HTMLAnchorElement>) => {
    e.preventDefault();
    saveBlob(new Blob([text], { type }), filename);
  };
  return (
    <a href={`#download-${filename}`} download={filename} onClick={save} data-testid={testId} className="button-link">
      {children}
    </a>
  );
}
