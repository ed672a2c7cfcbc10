"use client";
/** A prize preview (a public rendition, never the reward file): image, audio or video. */
export function Preview({ preview, name }: { preview: { kind: string; url: string }; name: string }) {
  if (preview.kind === "image") {
    // eslint-disable-next-line @next/next/no-img-element -- static export: no image optimisation
    return <img src={preview.url} alt={name} width={96} height={96} loading="lazy" />;
  }
  /* eslint-disable jsx-a11y/media-has-caption -- previews are creators' clips without caption tracks */
  if (preview.kind === "audio") return <audio controls preload="none" src={preview.url} aria-label={name} />;
  if (preview.kind === "video") return <video controls preload="none" src={preview.url} aria-label={name} width={160} />;
  /* eslint-enable jsx-a11y/media-has-caption */
  return null;
}
