import { useEffect, useMemo } from 'react';

/** A download link for text made in the page (the object URL is released when it changes). */
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
  const url = useMemo(() => URL.createObjectURL(new Blob([text], { type })), [text, type]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <a href={url} download={filename} data-testid={testId} className="button-link">
      {children}
    </a>
  );
}
