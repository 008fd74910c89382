import { useState, type RefObject } from 'react';
import { saveCanvasPng, saveSvgPng } from './download';

/** "Save PNG" for the image (a canvas) or the chart (an SVG) inside `container`. */
export function PngButton({
  container,
  filename,
  what,
  testId,
}: {
  container: RefObject<HTMLElement | null>;
  filename: string;
  what: string;
  testId: string;
}) {
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    const root = container.current;
    const canvas = root?.querySelector('canvas');
    const svg = root?.querySelector('svg.recharts-surface') ?? root?.querySelector('svg');
    try {
      setError(null);
      if (canvas) await saveCanvasPng(canvas, filename);
      else if (svg) await saveSvgPng(svg as SVGSVGElement, filename);
      else throw new Error(`no ${what} to save yet`);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <>
      <button
        type="button"
        className="small-button"
        onClick={() => void save()}
        data-testid={testId}
        aria-label={`Save PNG of the ${what}`}
      >
        Save PNG
      </button>
      {error && (
        <span className="small error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
