// The ${{ values.name }} UISurface: a static export (`out/`) under /${{ values.name }}/, served
// on the same origin as the platform API (by the Gateway on Kubernetes, by `ameide dev` on one
// machine), so the SDK calls the page's own origin and the console's session is at hand.
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  output: 'export',
  basePath: '/${{ values.name }}',
  trailingSlash: true,
  // Workspace packages export TypeScript sources.
  transpilePackages: ['@ameide/sdk', '@ameide/errors', '@ameide/proto'],
  webpack(config) {
    // The workspace packages' TypeScript imports its siblings as `./x.js` (NodeNext).
    config.resolve.extensionAlias = { '.js': ['.ts', '.tsx', '.js'] };
    return config;
  },
};
export default nextConfig;
