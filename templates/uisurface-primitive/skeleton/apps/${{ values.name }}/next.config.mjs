// The ${{ values.name }} UISurface. It is served behind the platform's Gateway (or by
// `ameide dev`) on the same origin as the platform API, so the SDK calls relative URLs.
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Workspace packages export TypeScript sources.
  transpilePackages: ['@ameide/sdk', '@ameide/errors', '@ameide/proto'],
  output: 'standalone',
};
export default nextConfig;
