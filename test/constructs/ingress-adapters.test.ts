import { AppIngress } from '../../contracts/app-definition';
import { hostsListIngress, singleHostIngress } from '../../contracts/ingress-adapters';

const published: AppIngress = { host: 'chat.example.com', className: 'alb', tls: true, annotations: { a: 'b' }, tlsSecretName: 'chat-tls' };
const plain: AppIngress = { ...published, tls: false, annotations: {} };
const unpublished: AppIngress = { ...published, host: undefined };

describe('ingress adapters write each chart layout under its path', () => {
  test.each([
    {
      adapter: hostsListIngress(['app', 'ingress']),
      ingress: published,
      values: {
        app: {
          ingress: {
            enabled: true,
            className: 'alb',
            annotations: { a: 'b' },
            hosts: [{ host: 'chat.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }],
            tls: [{ secretName: 'chat-tls', hosts: ['chat.example.com'] }],
          },
        },
      },
    },
    {
      adapter: hostsListIngress(['ingress']),
      ingress: plain,
      values: { ingress: { enabled: true, className: 'alb', hosts: [{ host: 'chat.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }], tls: [] } },
    },
    { adapter: hostsListIngress(['app', 'ingress']), ingress: unpublished, values: { app: { ingress: { enabled: false } } } },
    {
      adapter: singleHostIngress(['server', 'ingress']),
      ingress: published,
      values: { server: { ingress: { enabled: true, className: 'alb', annotations: { a: 'b' }, host: 'chat.example.com', tls: true } } },
    },
    { adapter: singleHostIngress(['ingress']), ingress: plain, values: { ingress: { enabled: true, className: 'alb', host: 'chat.example.com', tls: false } } },
    { adapter: singleHostIngress(['ingress']), ingress: unpublished, values: { ingress: { enabled: false } } },
  ])('case $#', ({ adapter, ingress, values }) => {
    expect(adapter(ingress)).toEqual(values);
  });
});
