import QRCode from 'qrcode';
import { useEffect, useRef, useState } from 'react';

/** `text` as a QR code, drawn on a canvas in the page (nothing leaves the browser). */
export function QrCode({ text, label }: { text: string; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!canvas.current) return;
    QRCode.toCanvas(canvas.current, text, { width: 200, margin: 2, errorCorrectionLevel: 'M' }).then(
      () => setFailed(false),
      () => setFailed(true),
    );
  }, [text]);
  if (failed)
    return (
      <p className="message message-error">The QR code could not be drawn: type the secret below into your app.</p>
    );
  return <canvas ref={canvas} className="qr-code" role="img" aria-label={label} />;
}
