# netpol-guard webhook image.
#   docker build -t netpol-guard:0.1.0 .
# The build stage compiles TypeScript with the dev dependencies; the runtime
# stage installs the production dependencies only and runs as a non-root user.
# test/manifests/image.test.ts repeats the runtime stage's install outside a
# container engine and runs the entrypoint.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY certs-scripts ./certs-scripts
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# 65532 is the conventional "nonroot" id; the Deployment runs as the same
# user, and runAsNonRoot needs a numeric USER to verify it.
USER 65532:65532
EXPOSE 8443 9090
ENTRYPOINT ["node", "dist/src/cli/bin.js", "serve"]
