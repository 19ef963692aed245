import { TerraformIterator, Token } from 'cdktf';
import { Construct } from 'constructs';
import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { ConstructError } from '../core/errors';

/** Properties of {@link DnsValidatedCertificate}. */
export interface DnsValidatedCertificateProps {
  /** Names the certificate covers; the first is its subject. */
  readonly domainNames: readonly string[];
  /** Route 53 hosted zone that holds every name (the validation records are written there). */
  readonly hostedZoneId: string;
}

/**
 * A public ACM certificate validated through DNS records in a Route 53 zone. Use
 * {@link issuedArn} (the validation's `certificate_arn`) to use the certificate only once it is
 * issued; ACM renews it as long as the records stay. A change of names replaces the certificate
 * create-before-destroy: Terraform issues the new one, updates what refers to {@link issuedArn},
 * then deletes the old one.
 */
export class DnsValidatedCertificate extends Construct {
  /** The certificate. */
  public readonly certificate: AcmCertificate;
  /** Completes when ACM has issued the certificate. */
  public readonly validation: AcmCertificateValidation;
  /** The certificate's ARN, known once ACM has issued it. */
  public readonly issuedArn: string;

  constructor(scope: Construct, id: string, props: DnsValidatedCertificateProps) {
    super(scope, id);
    const [domainName, ...alternativeNames] = props.domainNames;
    if (domainName === undefined) throw new ConstructError(this, 'domainNames must list at least one name');
    this.certificate = new AcmCertificate(this, 'certificate', {
      domainName,
      subjectAlternativeNames: alternativeNames.length > 0 ? alternativeNames : undefined,
      validationMethod: 'DNS',
      lifecycle: { createBeforeDestroy: true },
    });
    const options = TerraformIterator.fromComplexList(this.certificate.domainValidationOptions, 'domain_name');
    const records = new Route53Record(this, 'validation_record', {
      forEach: options,
      zoneId: props.hostedZoneId,
      name: options.getString('resource_record_name'),
      type: options.getString('resource_record_type'),
      records: [options.getString('resource_record_value')],
      ttl: 300,
      allowOverwrite: true,
    });
    // Replaced create-before-destroy like the certificate: a new certificate is issued and handed
    // to its users before the old one is deleted (ACM refuses to delete a certificate in use).
    this.validation = new AcmCertificateValidation(this, 'validation', {
      certificateArn: this.certificate.arn,
      validationRecordFqdns: Token.asList(TerraformIterator.fromResources(records).pluckProperty('fqdn')),
      lifecycle: { createBeforeDestroy: true },
    });
    this.issuedArn = this.validation.certificateArn;
  }
}
