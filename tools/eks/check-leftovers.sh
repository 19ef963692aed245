#!/usr/bin/env bash
# Lists what controllers and AWS services created for an EKS cluster outside Terraform and did not
# delete:
# - load balancers, target groups and security groups of the AWS Load Balancer Controller
#   (tagged elbv2.k8s.aws/cluster=<cluster>), and ELB network interfaces still in the VPC;
# - GuardDuty Runtime Monitoring's VPC endpoint (com.amazonaws.<region>.guardduty-data) and its
#   managed security group in the VPC, which GuardDuty creates when it manages its agent;
# - EBS volumes and snapshots of the EBS CSI driver (tagged kubernetes.io/cluster/<cluster>=owned):
#   with a Retain storage class they outlive the cluster on purpose; delete them only once the data
#   is backed up or no longer needed;
# - ExternalDNS records: the TXT ownership records of the cluster (external-dns/owner=<cluster>) in
#   the hosted zone, next to the records they own.
# Run it after `cdktf destroy <env>-apps <env>-platform` and before destroying `<env>-cluster`
# (the VPC can only be deleted once its endpoints, interfaces and security groups are gone), and
# after the destroy.
#
#   bash tools/eks/check-leftovers.sh <cluster-name> <region> [vpc-id] [hosted-zone]
#
# Exit 0: nothing left. Exit 1: leftovers listed. Needs the AWS CLI v2 and read access
# (tag:GetResources, ec2:DescribeNetworkInterfaces, ec2:DescribeVpcEndpoints,
# ec2:DescribeSecurityGroups, ec2:DescribeVolumes, ec2:DescribeSnapshots,
# route53:ListHostedZonesByName, route53:ListResourceRecordSets).
set -euo pipefail
usage='usage: check-leftovers.sh <cluster-name> <region> [vpc-id] [hosted-zone]'
cluster=${1:?$usage}
region=${2:?$usage}
vpc=${3:-}
zone=${4:-}
found=0

# Prints each whitespace-separated word of $2 as "<$1>: <word>" and remembers that something is left.
report() {
  local label=$1 words=$2 word
  [ -n "$words" ] || return 0
  [ "$words" != "None" ] || return 0
  for word in $words; do echo "$label: $word"; done
  found=1
}

report "left by the load balancer controller" "$(aws resourcegroupstaggingapi get-resources --region "$region" \
  --tag-filters "Key=elbv2.k8s.aws/cluster,Values=$cluster" \
  --query 'ResourceTagMappingList[].ResourceARN' --output text)"

if [ -n "$vpc" ]; then
  report "ELB network interface in $vpc" "$(aws ec2 describe-network-interfaces --region "$region" \
    --filters "Name=vpc-id,Values=$vpc" "Name=requester-id,Values=amazon-elb" \
    --query 'NetworkInterfaces[].NetworkInterfaceId' --output text)"
  report "GuardDuty VPC endpoint in $vpc" "$(aws ec2 describe-vpc-endpoints --region "$region" \
    --filters "Name=vpc-id,Values=$vpc" "Name=service-name,Values=com.amazonaws.$region.guardduty-data" \
    --query 'VpcEndpoints[].VpcEndpointId' --output text)"
  report "GuardDuty security group in $vpc" "$(aws ec2 describe-security-groups --region "$region" \
    --filters "Name=vpc-id,Values=$vpc" "Name=group-name,Values=GuardDutyManagedSecurityGroup-*" \
    --query 'SecurityGroups[].GroupId' --output text)"
fi

report "EBS volume of the CSI driver (kept by a Retain class? back it up before deleting)" "$(aws ec2 describe-volumes --region "$region" \
  --filters "Name=tag:kubernetes.io/cluster/$cluster,Values=owned" \
  --query 'Volumes[].VolumeId' --output text)"
report "EBS snapshot of the CSI driver" "$(aws ec2 describe-snapshots --region "$region" --owner-ids self \
  --filters "Name=tag:kubernetes.io/cluster/$cluster,Values=owned" \
  --query 'Snapshots[].SnapshotId' --output text)"

if [ -n "$zone" ]; then
  zone_id=$(aws route53 list-hosted-zones-by-name --dns-name "$zone" --max-items 1 \
    --query "HostedZones[?Name=='${zone%.}.'].Id | [0]" --output text)
  if [ -z "$zone_id" ] || [ "$zone_id" = "None" ]; then
    echo "check-leftovers: hosted zone $zone not found" >&2
    exit 2
  fi
  report "ExternalDNS ownership record in $zone" "$(aws route53 list-resource-record-sets --hosted-zone-id "${zone_id##*/}" \
    --query "ResourceRecordSets[?Type=='TXT' && (contains(join(',', ResourceRecords[].Value), 'external-dns/owner=$cluster,') || contains(join(',', ResourceRecords[].Value), 'external-dns/owner=$cluster\"'))].Name" \
    --output text)"
fi

if [ "$found" -eq 0 ]; then
  echo "check-leftovers: nothing is left for $cluster in $region"
  exit 0
fi
exit 1
