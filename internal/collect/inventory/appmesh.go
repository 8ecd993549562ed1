package inventory

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/appmesh"
)

// App Mesh's virtual nodes (AWS::AppMesh::VirtualNode) and virtual gateways
// (AWS::AppMesh::VirtualGateway) are recorded by two parts, each over the meshes the
// account sees: the resource's ARN as resource id, its name as resource name, and
// DescribeVirtualNode's or DescribeVirtualGateway's data with the API's member names as
// configuration (MeshName, VirtualNodeName or VirtualGatewayName, Spec, Status,
// Metadata), which are CloudFormation's; Spec.BackendDefaults.ClientPolicy.Tls.Enforce
// is what the rules read.

// meshNames lists the names of the meshes the account sees.
func meshNames(ctx context.Context, c *appmesh.Client) ([]string, error) {
	var meshes []string
	p := appmesh.NewListMeshesPaginator(c, &appmesh.ListMeshesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, m := range out.Meshes {
			meshes = append(meshes, aws.ToString(m.MeshName))
		}
	}
	return meshes, nil
}

// collectVirtualNodes records the virtual nodes of every mesh.
func collectVirtualNodes(ctx context.Context, r *run) error {
	c := appmesh.NewFromConfig(r.cfg)
	meshes, err := meshNames(ctx, c)
	if err != nil {
		return err
	}
	return r.each(ctx, len(meshes), func(ctx context.Context, i int) error {
		mesh := aws.String(meshes[i])
		p := appmesh.NewListVirtualNodesPaginator(c, &appmesh.ListVirtualNodesInput{MeshName: mesh})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if errorCode(err) == "NotFoundException" {
				return nil // the mesh was deleted since it was listed
			}
			if err != nil {
				return err
			}
			for _, n := range out.VirtualNodes {
				d, err := c.DescribeVirtualNode(ctx, &appmesh.DescribeVirtualNodeInput{MeshName: mesh, VirtualNodeName: n.VirtualNodeName, MeshOwner: n.MeshOwner})
				if errorCode(err) == "NotFoundException" {
					continue // deleted since it was listed
				}
				if err != nil {
					return err
				}
				if err := r.addMeshResource("AWS::AppMesh::VirtualNode", aws.ToString(n.Arn), aws.ToString(n.VirtualNodeName), d.VirtualNode); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// collectVirtualGateways records the virtual gateways of every mesh.
func collectVirtualGateways(ctx context.Context, r *run) error {
	c := appmesh.NewFromConfig(r.cfg)
	meshes, err := meshNames(ctx, c)
	if err != nil {
		return err
	}
	return r.each(ctx, len(meshes), func(ctx context.Context, i int) error {
		mesh := aws.String(meshes[i])
		p := appmesh.NewListVirtualGatewaysPaginator(c, &appmesh.ListVirtualGatewaysInput{MeshName: mesh})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if errorCode(err) == "NotFoundException" {
				return nil // the mesh was deleted since it was listed
			}
			if err != nil {
				return err
			}
			for _, g := range out.VirtualGateways {
				d, err := c.DescribeVirtualGateway(ctx, &appmesh.DescribeVirtualGatewayInput{MeshName: mesh, VirtualGatewayName: g.VirtualGatewayName, MeshOwner: g.MeshOwner})
				if errorCode(err) == "NotFoundException" {
					continue // deleted since it was listed
				}
				if err != nil {
					return err
				}
				if err := r.addMeshResource("AWS::AppMesh::VirtualGateway", aws.ToString(g.Arn), aws.ToString(g.VirtualGatewayName), d.VirtualGateway); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// addMeshResource adds the CI of a virtual node or gateway described as v.
func (r *run) addMeshResource(resourceType, arn, name string, v any) error {
	conf, err := apiMembersJSON(v)
	if err != nil {
		return err
	}
	r.add(Item{ARN: arn, ResourceType: resourceType, ResourceID: arn, ResourceName: name, Zone: "Regional", Configuration: conf})
	return nil
}
