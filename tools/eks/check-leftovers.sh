#!/usr/bin/env bash
# Lists what the AWS Load Balancer Controller created for an EKS cluster and has not deleted:
# load balancers, target groups and security groups tagged elbv2.k8s.aws/cluster=<cluster>, and
# network interfaces still attached to the cluster's VPC by an ELB. Run it after
# `cdktf destroy <env>-apps <env>-platform` and before destroying `<env>-cluster`: the VPC can
# only be deleted once nothing is left.
#
#   bash tools/eks/check-leftovers.sh <cluster-name> <region> [vpc-id]
#
# Exit 0: nothing left. Exit 1: leftovers listed (delete them, or re-deploy the platform stack so
# the controller can finish). Needs the AWS CLI v2 and read access (tag:GetResources,
# ec2:DescribeNetworkInterfaces).
set -euo pipefail
cluster=${1:?usage: check-leftovers.sh <cluster-name> <region> [vpc-id]}
region=${2:?usage: check-leftovers.sh <cluster-name> <region> [vpc-id]}
vpc=${3:-}

tagged=$(aws resourcegroupstaggingapi get-resources --region "$region" \
  --tag-filters "Key=elbv2.k8s.aws/cluster,Values=$cluster" \
  --query 'ResourceTagMappingList[].ResourceARN' --output text)
enis=""
if [ -n "$vpc" ]; then
  enis=$(aws ec2 describe-network-interfaces --region "$region" \
    --filters "Name=vpc-id,Values=$vpc" "Name=requester-id,Values=amazon-elb" \
    --query 'NetworkInterfaces[].NetworkInterfaceId' --output text)
fi
if [ -z "$tagged" ] && [ -z "$enis" ]; then
  echo "check-leftovers: nothing of the load balancer controller is left for $cluster in $region"
  exit 0
fi
read -r -a tagged_list <<< "$tagged"
read -r -a eni_list <<< "$enis"
for arn in "${tagged_list[@]}"; do echo "left by the controller: $arn"; done
for eni in "${eni_list[@]}"; do echo "ELB network interface in $vpc: $eni"; done
exit 1
